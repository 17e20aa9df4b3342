/**
 * The budget's errors, one place for their codes and wording. Every message
 * names the pool or reservation and, for input errors, the field, the value and
 * what is allowed.
 */
import { Code, ConnectError } from "@connectrpc/connect";

import type { Amount, Available, FinishedStatus } from "../../store/budget-store.js";

export function invalidArgument(field: string, problem: string): ConnectError {
  return new ConnectError(`${field}: ${problem}`, Code.InvalidArgument);
}

export function poolNotFound(name: string): ConnectError {
  return new ConnectError(`budget pool ${JSON.stringify(name)} not found`, Code.NotFound);
}

export function poolExists(name: string): ConnectError {
  return new ConnectError(`budget pool ${JSON.stringify(name)} already exists`, Code.AlreadyExists);
}

export function reservationNotFound(id: string): ConnectError {
  return new ConnectError(`reservation ${JSON.stringify(id)} not found`, Code.NotFound);
}

export function reservationExpired(id: string, at: number): ConnectError {
  return new ConnectError(
    `reservation ${JSON.stringify(id)} not found: it expired at ${new Date(at).toISOString()} and its hold was released`,
    Code.NotFound,
  );
}

export function reservationFinished(id: string, status: Exclude<FinishedStatus, "expired">): ConnectError {
  return new ConnectError(`reservation ${JSON.stringify(id)} was already ${status}`, Code.FailedPrecondition);
}

export function reservationCommittedOtherwise(id: string, charged: Amount, asked: Amount): ConnectError {
  return new ConnectError(
    `reservation ${JSON.stringify(id)} was already committed with ${charged.tokens} tokens and ${charged.usdMicros} usd_micros; ` +
      `a repeated commit must carry the same usage (this one has ${asked.tokens} tokens and ${asked.usdMicros} usd_micros)`,
    Code.FailedPrecondition,
  );
}

/**
 * e.g. `budget pool "team-a" has 120 tokens available, request needs 500`.
 * Names only the dimensions that do not fit; both when both fail.
 */
export function overBudget(pool: string, available: Available, needed: Amount): ConnectError {
  const short = (avail: number | undefined, need: number): avail is number =>
    avail !== undefined && (need > avail || avail === 0);
  const parts: { unit: string; avail: number; need: number }[] = [];
  if (short(available.tokens, needed.tokens)) {
    parts.push({ unit: "tokens", avail: available.tokens, need: needed.tokens });
  }
  if (short(available.usdMicros, needed.usdMicros)) {
    parts.push({ unit: "usd_micros", avail: available.usdMicros, need: needed.usdMicros });
  }
  const has = parts.map((p) => `${p.avail} ${p.unit}`).join(" and ");
  const needs =
    parts.length === 1 ? String(parts[0]?.need) : parts.map((p) => `${p.need} ${p.unit}`).join(" and ");
  return new ConnectError(
    `budget pool ${JSON.stringify(pool)} has ${has} available, request needs ${needs}`,
    Code.ResourceExhausted,
  );
}
