// The audit log: admin actions and budget changes appended to a hash chain
// (audit-chain.ts). Kept in memory, and with [observability] audit_path also
// appended to that file as JSON lines (a restart continues the file's chain).
// Appends are serialized; a failed write is reported once on the logger and
// does not fail the request that caused it.
import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { GENESIS, seal, verifyChain, type AuditEntry, type VerifyResult } from "./audit-chain.js";
import type { Logger } from "./log.js";

/** At most this many entries stay in memory when there is no file. */
const MEMORY_LIMIT = 10_000;

export class AuditLog {
  private seq = 0;
  private prev = GENESIS;
  private readonly memory: AuditEntry[] = [];
  private tail: Promise<void>;
  private warned = false;

  constructor(
    private readonly key: string,
    readonly path: string | undefined,
    private readonly logger: Logger,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.tail = path ? this.resume(path).catch((err: Error) => logger.log("error", "audit log unreadable", { path, error: err.message })) : Promise.resolve();
  }

  /** Appends one entry; resolves when it is written (never rejects). */
  append(actor: string, action: string, details: Record<string, unknown>): Promise<void> {
    this.tail = this.tail.then(async () => {
      const entry = seal(this.key, { seq: this.seq + 1, time: this.now().toISOString(), actor, action, details: plain(details), prev_hash: this.prev });
      try {
        if (this.path) await appendFile(this.path, `${JSON.stringify(entry)}\n`);
      } catch (err) {
        if (!this.warned) this.logger.log("error", "audit log write failed", { path: this.path, error: (err as Error).message });
        this.warned = true;
        return;
      }
      this.seq = entry.seq;
      this.prev = entry.hash;
      if (!this.path) {
        this.memory.push(entry);
        if (this.memory.length > MEMORY_LIMIT) this.memory.shift();
      }
    });
    return this.tail;
  }

  /** Verifies the file (or the in-memory entries). */
  async verify(): Promise<VerifyResult> {
    await this.tail;
    if (this.path) return verifyChain(await readFile(this.path, "utf8").catch(() => ""), this.key);
    const first = this.memory[0];
    const start = first ? { seq: first.seq, prev: first.prev_hash } : undefined;
    return verifyChain(this.memory.map((e) => JSON.stringify(e)).join("\n"), this.key, start);
  }

  flush(): Promise<void> {
    return this.tail;
  }

  private async resume(path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const text = await readFile(path, "utf8").catch(() => "");
    const last = text.trimEnd().split("\n").at(-1);
    if (!last) return;
    try {
      const entry = JSON.parse(last) as AuditEntry;
      this.seq = entry.seq;
      this.prev = entry.hash;
    } catch {
      this.logger.log("error", "audit log: last line is not JSON; new entries will not verify", { path });
    }
  }
}

/** Details as they read back from JSON (bigint as a decimal string, undefined dropped), so the hash covers what is stored. */
function plain(details: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(details, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v))) as Record<string, unknown>;
}
