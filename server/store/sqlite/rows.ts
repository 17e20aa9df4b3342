/** Rows of the SQLite budget schema (schema.ts) to and from the store's values. */
import type { BudgetPeriodKind } from "../../core/budget/period.js";
import type { FinishedStatus, PoolState, Reservation, UsageRecord } from "../budget-store.js";

export interface PoolRow {
  name: string;
  capacity_tokens: number | null;
  capacity_usd_micros: number | null;
  period: string;
  period_start: number;
  epoch: number;
  used_tokens: number;
  reserved_tokens: number;
  used_usd_micros: number;
  reserved_usd_micros: number;
}

export interface ReservationRow {
  id: string;
  pool: string;
  tokens: number;
  usd_micros: number;
  created_at: number;
  expires_at: number;
  epoch: number;
  status: "active" | FinishedStatus;
  finished_at: number | null;
  charged_tokens?: number | null;
  charged_usd_micros?: number | null;
  /** JSON array of the linked pools (a reservation holding in several pools). */
  linked?: string | null;
  /** For a linked hold: the reservation it belongs to. */
  of?: string | null;
}

export interface UsageRow {
  time: number;
  pool: string;
  reservation_id: string;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  audio_tokens: number;
  cost_usd_micros: number;
  provider: string;
  cache_hit: number;
  model: string | null;
  key: string | null;
  request_id: string | null;
  team: string | null;
}

export function toPool(r: PoolRow): PoolState {
  return {
    name: r.name,
    capacityTokens: r.capacity_tokens ?? undefined,
    capacityUsdMicros: r.capacity_usd_micros ?? undefined,
    period: r.period as BudgetPeriodKind,
    periodStart: r.period_start,
    epoch: r.epoch,
    usedTokens: r.used_tokens,
    reservedTokens: r.reserved_tokens,
    usedUsdMicros: r.used_usd_micros,
    reservedUsdMicros: r.reserved_usd_micros,
  };
}

export function fromPool(p: PoolState): PoolRow {
  return {
    name: p.name,
    capacity_tokens: p.capacityTokens ?? null,
    capacity_usd_micros: p.capacityUsdMicros ?? null,
    period: p.period,
    period_start: p.periodStart,
    epoch: p.epoch,
    used_tokens: p.usedTokens,
    reserved_tokens: p.reservedTokens,
    used_usd_micros: p.usedUsdMicros,
    reserved_usd_micros: p.reservedUsdMicros,
  };
}

export function toReservation(r: ReservationRow): Reservation {
  return {
    id: r.id,
    pool: r.pool,
    ...(r.linked ? { linked: JSON.parse(r.linked) as string[] } : {}),
    tokens: r.tokens,
    usdMicros: r.usd_micros,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    epoch: r.epoch,
  };
}

/** A reservation's row; `of` for a linked hold (the reservation it belongs to). */
export function fromReservation(r: Reservation, of?: string): ReservationRow {
  return {
    id: r.id,
    pool: r.pool,
    linked: r.linked && r.linked.length > 0 ? JSON.stringify(r.linked) : null,
    of: of ?? null,
    tokens: r.tokens,
    usd_micros: r.usdMicros,
    created_at: r.createdAt,
    expires_at: r.expiresAt,
    epoch: r.epoch,
    status: "active",
    finished_at: null,
  };
}

export function toUsage(r: UsageRow): UsageRecord {
  return {
    time: r.time,
    pool: r.pool,
    reservationId: r.reservation_id,
    inputTokens: r.input_tokens,
    cachedInputTokens: r.cached_input_tokens,
    outputTokens: r.output_tokens,
    reasoningTokens: r.reasoning_tokens,
    audioTokens: r.audio_tokens,
    costUsdMicros: r.cost_usd_micros,
    provider: r.provider,
    cacheHit: r.cache_hit !== 0,
    model: r.model ?? undefined,
    key: r.key ?? undefined,
    requestId: r.request_id ?? undefined,
    team: r.team ?? undefined,
  };
}

export function fromUsage(u: UsageRecord): UsageRow {
  return {
    time: u.time,
    pool: u.pool,
    reservation_id: u.reservationId,
    input_tokens: u.inputTokens,
    cached_input_tokens: u.cachedInputTokens,
    output_tokens: u.outputTokens,
    reasoning_tokens: u.reasoningTokens,
    audio_tokens: u.audioTokens,
    cost_usd_micros: u.costUsdMicros,
    provider: u.provider,
    cache_hit: u.cacheHit ? 1 : 0,
    model: u.model ?? null,
    key: u.key ?? null,
    request_id: u.requestId ?? null,
    team: u.team ?? null,
  };
}
