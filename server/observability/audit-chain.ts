// The hash chain of the audit log. Each entry is
//   {seq, time, actor, action, details, prev_hash, hash}
// with hash = HMAC-SHA256(audit_key, canonical(entry without hash) + prev_hash),
// hex. canonical() is JSON with object keys sorted at every depth. The first
// entry's prev_hash is 64 zeros. Without an audit_key the HMAC key is empty:
// edits are still detected, but anyone can recompute a forged chain.
import { createHmac, timingSafeEqual } from "node:crypto";

export const GENESIS = "0".repeat(64);

export interface AuditEntry {
  seq: number;
  time: string;
  actor: string;
  action: string;
  details: Record<string, unknown>;
  prev_hash: string;
  hash: string;
}

export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return typeof value === "bigint" ? JSON.stringify(value.toString()) : JSON.stringify(value);
}

export function entryHash(key: string, entry: Omit<AuditEntry, "hash">): string {
  const { seq, time, actor, action, details, prev_hash } = entry;
  return createHmac("sha256", key).update(canonical({ seq, time, actor, action, details, prev_hash }) + prev_hash).digest("hex");
}

export function seal(key: string, entry: Omit<AuditEntry, "hash">): AuditEntry {
  return { ...entry, hash: entryHash(key, entry) };
}

export type VerifyResult = { ok: true; entries: number } | { ok: false; entries: number; seq: number | null; line: number; reason: string };

/** Recomputes the chain over JSON lines; reports the first broken link (1-based line number). */
export function verifyChain(text: string, key: string, start = { seq: 1, prev: GENESIS }): VerifyResult {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  let prev = start.prev;
  let expectedSeq = start.seq;
  for (const [i, line] of lines.entries()) {
    const broken = (seq: number | null, reason: string): VerifyResult => ({ ok: false, entries: i, seq, line: i + 1, reason });
    let entry: AuditEntry;
    try {
      entry = JSON.parse(line) as AuditEntry;
    } catch {
      return broken(null, "not valid JSON");
    }
    const seq = typeof entry?.seq === "number" ? entry.seq : null;
    if (seq !== expectedSeq) return broken(seq, `expected seq ${expectedSeq}, found ${JSON.stringify(entry?.seq)}`);
    if (entry.prev_hash !== prev) return broken(seq, "prev_hash does not match the previous entry's hash");
    if (typeof entry.hash !== "string" || !sameHex(entry.hash, entryHash(key, entry))) return broken(seq, "hash does not match the entry (edited, or a different audit_key)");
    prev = entry.hash;
    expectedSeq++;
  }
  return { ok: true, entries: lines.length };
}

function sameHex(a: string, b: string): boolean {
  return a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export function describeResult(r: VerifyResult): string {
  return r.ok ? `ok ${r.entries} entries` : `broken at seq ${r.seq ?? "?"} (line ${r.line}): ${r.reason}`;
}
