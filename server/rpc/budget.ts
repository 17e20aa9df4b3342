/**
 * hoosh.v1.BudgetService over a BudgetLedger: proto in, proto out. The ledger
 * validates values (names, counts); this file checks what only the wire has
 * (required messages, enums, update_mask, ttl_seconds, int64 beyond 2^53) and
 * converts: wire int64 is bigint, the ledger counts in exact JS numbers.
 *
 * Choices:
 * - BUDGET_PERIOD_UNSPECIFIED (the field left out) means BUDGET_PERIOD_NONE, on
 *   create and update alike, so `{"pool":{"name":"a","capacity_tokens":100}}` works.
 * - USAGE_GROUP_BY_UNSPECIFIED groups by pool.
 * - UpdatePool requires a non-empty update_mask; a masked capacity left unset clears it (no limit).
 *
 * Access (auth/budget-access.ts): a caller sees and uses only the pools it may
 * (ListPools, GetPool, GetUsageReport, Reserve; Commit and Release by the
 * reservation's pool); a pool it may not use and one that does not exist get
 * the same PermissionDenied, which lists nothing. Unless unrestricted (admin),
 * a commit counts at most what its reservation holds, and every commit records
 * the caller's key (usage report, audit log).
 */
import { create } from "@bufbuild/protobuf";
import { timestampFromMs, timestampMs } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter, HandlerContext, ServiceImpl } from "@connectrpc/connect";

import {
  BudgetService,
  PoolSchema,
  UsageGroupBy,
  UsageReportRowSchema,
} from "../../gen/ts/hoosh/v1/budget_pb.js";
import type { Pool, UsageReportRow } from "../../gen/ts/hoosh/v1/budget_pb.js";
import { cappedUsage, checkReservation, ownUsageOnly, UNRESTRICTED, usePool, type BudgetCaller, type ReservationLookup } from "../auth/budget-access.js";
import { invalidArgument } from "../core/budget/errors.js";
import type { BudgetLedger, PoolPatch, UsageInput } from "../core/budget/ledger.js";
import { enumName, PERIOD_TO_WIRE, periodFromWire } from "./budget-period.js";
import type { PoolView } from "../core/budget/pool-view.js";
import { mergeReports, type UsageGroupKey, type UsageReport, type UsageRow } from "../core/budget/report.js";
import { checkCount, isManagedPool } from "../core/budget/validate.js";

/**
 * Admin-only RPCs (CreatePool, UpdatePool) call this first. The auth issue
 * supplies it (throwing PermissionDenied / Unauthenticated); until then none runs.
 */
export type AdminGuard = (ctx: HandlerContext) => void | Promise<void>;

export interface BudgetServiceOptions {
  readonly authorizeAdmin?: AdminGuard;
  /** Called after each admin change succeeded (the audit log; server/observability). */
  readonly audit?: (ctx: HandlerContext, action: string, details: Record<string, unknown>) => void;
  /** Who is calling and which pools they may use; default: everyone, every pool. */
  readonly caller?: (ctx: HandlerContext) => BudgetCaller;
  /** A reservation's pool and amount, read before Commit/Release (BudgetStore.getReservation). */
  readonly reservation?: ReservationLookup;
  /** Warnings (a commit cut to its reservation). */
  readonly log?: (level: "warn", msg: string, fields: Record<string, unknown>) => void;
}

const MAX_TTL_SECONDS = 86_400;
const UPDATABLE = ["capacity_tokens", "capacity_usd_micros", "period"] as const;

const GROUP_FROM_WIRE = new Map<UsageGroupBy, UsageGroupKey>([
  [UsageGroupBy.UNSPECIFIED, "pool"],
  [UsageGroupBy.POOL, "pool"],
  [UsageGroupBy.MODEL, "model"],
  [UsageGroupBy.PROVIDER, "provider"],
  [UsageGroupBy.KEY, "key"],
  [UsageGroupBy.DAY, "day"],
  [UsageGroupBy.TEAM, "team"],
]);

/** The pools of keys' and teams' own budgets follow their budgets (KeysService); CreatePool and UpdatePool leave them alone. */
function unmanaged(name: string): void {
  if (isManagedPool(name)) throw invalidArgument("pool.name", `${JSON.stringify(name)} is the pool of an API key's or team's own budget; change that key's or team's budget (KeysService UpdateKey / UpdateTeam)`);
}

function groupFromWire(value: UsageGroupBy): UsageGroupKey {
  const key = GROUP_FROM_WIRE.get(value);
  if (key !== undefined) return key;
  const allowed = [...GROUP_FROM_WIRE.keys()].map((v) => enumName("USAGE_GROUP_BY", UsageGroupBy, v));
  throw invalidArgument("group_by", `${value} is not one of: ${allowed.join(", ")}`);
}

function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw invalidArgument(field, "required, but not set");
  return value;
}

/** An optional wire int64 as a ledger count; unset stays unset. */
function optionalCount(value: bigint | undefined, field: string): number | undefined {
  return value === undefined ? undefined : checkCount(value, field);
}

function toWirePool(v: PoolView): Pool {
  return create(PoolSchema, {
    name: v.name,
    capacityTokens: v.capacityTokens === undefined ? undefined : BigInt(v.capacityTokens),
    capacityUsdMicros: v.capacityUsdMicros === undefined ? undefined : BigInt(v.capacityUsdMicros),
    period: PERIOD_TO_WIRE[v.period],
    usedTokens: BigInt(v.usedTokens),
    reservedTokens: BigInt(v.reservedTokens),
    usedUsdMicros: BigInt(v.usedUsdMicros),
    reservedUsdMicros: BigInt(v.reservedUsdMicros),
    periodStart: timestampFromMs(v.periodStart),
    periodEnd: v.periodEnd === undefined ? undefined : timestampFromMs(v.periodEnd),
    activeReservations: BigInt(v.holds?.count ?? 0),
    holdsUntil: v.holds?.until === undefined ? undefined : timestampFromMs(v.holds.until),
  });
}

function toWireRow(r: UsageRow): UsageReportRow {
  return create(UsageReportRowSchema, {
    group: r.group,
    requests: BigInt(r.requests),
    inputTokens: BigInt(r.inputTokens),
    cachedInputTokens: BigInt(r.cachedInputTokens),
    outputTokens: BigInt(r.outputTokens),
    reasoningTokens: BigInt(r.reasoningTokens),
    audioTokens: BigInt(r.audioTokens),
    costUsdMicros: BigInt(r.costUsdMicros),
    cacheHits: BigInt(r.cacheHits),
  });
}

/** The update_mask as a PoolPatch; unknown paths are rejected, listing the allowed ones. */
function patchFromMask(pool: Pool, paths: readonly string[]): PoolPatch {
  const allowed = `allowed paths: ${UPDATABLE.join(", ")}`;
  if (paths.length === 0) throw invalidArgument("update_mask", `no paths given; ${allowed}`);
  const patch: { -readonly [K in keyof PoolPatch]: PoolPatch[K] } = {};
  for (const path of paths) {
    switch (path) {
      case "capacity_tokens":
        patch.capacityTokens = optionalCount(pool.capacityTokens, "pool.capacity_tokens") ?? null;
        break;
      case "capacity_usd_micros":
        patch.capacityUsdMicros = optionalCount(pool.capacityUsdMicros, "pool.capacity_usd_micros") ?? null;
        break;
      case "period":
        patch.period = periodFromWire(pool.period, "pool.period");
        break;
      default:
        throw invalidArgument("update_mask", `${JSON.stringify(path)} is not an updatable field; ${allowed}`);
    }
  }
  return patch;
}

export function createBudgetService(
  ledger: BudgetLedger,
  options: BudgetServiceOptions = {},
): ServiceImpl<typeof BudgetService> {
  const admin = async (ctx: HandlerContext): Promise<void> => {
    await options.authorizeAdmin?.(ctx);
  };
  const callerOf = (ctx: HandlerContext): BudgetCaller => options.caller?.(ctx) ?? UNRESTRICTED;
  const reservationFor = (caller: BudgetCaller, id: string, action: "commit" | "release") => checkReservation(caller, id, action, options.reservation);

  return {
    async listPools(_req, ctx) {
      const caller = callerOf(ctx);
      return { pools: (await ledger.listPools()).filter((p) => caller.mayUse(p.name)).map(toWirePool) };
    },

    async getPool(req, ctx) {
      return { pool: toWirePool(await usePool(callerOf(ctx), req.name, () => ledger.getPool(req.name))) };
    },

    async createPool(req, ctx) {
      await admin(ctx);
      const pool = required(req.pool, "pool");
      unmanaged(pool.name);
      const view = await ledger.createPool(pool.name, {
        capacityTokens: optionalCount(pool.capacityTokens, "pool.capacity_tokens"),
        capacityUsdMicros: optionalCount(pool.capacityUsdMicros, "pool.capacity_usd_micros"),
        period: periodFromWire(pool.period, "pool.period"),
      });
      options.audit?.(ctx, "pool.create", { pool: view.name, capacity_tokens: view.capacityTokens, capacity_usd_micros: view.capacityUsdMicros, period: view.period });
      return { pool: toWirePool(view) };
    },

    async updatePool(req, ctx) {
      await admin(ctx);
      const pool = required(req.pool, "pool");
      unmanaged(pool.name);
      const patch = patchFromMask(pool, req.updateMask?.paths ?? []);
      const view = await ledger.updatePool(pool.name, patch);
      options.audit?.(ctx, "pool.update", { pool: view.name, update_mask: req.updateMask?.paths, capacity_tokens: view.capacityTokens, capacity_usd_micros: view.capacityUsdMicros, period: view.period });
      return { pool: toWirePool(view) };
    },

    async reserve(req, ctx) {
      if (req.ttlSeconds > MAX_TTL_SECONDS) {
        throw invalidArgument(
          "ttl_seconds",
          `${req.ttlSeconds} is too long; must be at most ${MAX_TTL_SECONDS} (one day), or 0 for the default`,
        );
      }
      const ttlMs = req.ttlSeconds === 0 ? undefined : req.ttlSeconds * 1000;
      const amount = { tokens: checkCount(req.tokens, "tokens"), usdMicros: checkCount(req.usdMicros, "usd_micros") };
      const r = await usePool(callerOf(ctx), req.pool, () => ledger.reserve(req.pool, amount, ttlMs));
      return { reservationId: r.reservationId, expiresAt: timestampFromMs(r.expiresAt), pool: toWirePool(r.pool) };
    },

    // usage.budget_pool is not read: the reservation decides the pool.
    async commit(req, ctx) {
      const caller = callerOf(ctx);
      let usage: UsageInput = required(req.usage, "usage");
      const held = await reservationFor(caller, req.reservationId, "commit");
      if (held) {
        const cut = cappedUsage(req.usage!, held);
        if (cut.capped) {
          options.log?.("warn", "commit cut to its reservation (only admin keys may commit more)", {
            key: caller.keyId, reservation_id: req.reservationId, reserved_tokens: held.tokens, asked_tokens: usage.inputTokens + usage.outputTokens,
          });
        }
        usage = cut.usage;
      }
      const model = req.usage?.model || undefined;
      const committed = await ledger.commit(req.reservationId, usage, { model, key: caller.keyId });
      return { pool: toWirePool(committed.pool), alreadyCommitted: committed.alreadyCommitted };
    },

    async release(req, ctx) {
      await reservationFor(callerOf(ctx), req.reservationId, "release");
      return { pool: toWirePool(await ledger.release(req.reservationId)) };
    },

    async getUsageReport(req, ctx) {
      const caller = callerOf(ctx);
      const query = {
        start: req.startTime ? timestampMs(req.startTime) : undefined,
        end: req.endTime ? timestampMs(req.endTime) : undefined,
        groupBy: groupFromWire(req.groupBy),
        key: req.keyId || undefined,
        team: req.team || undefined,
      };
      let report: UsageReport;
      if (!caller.readsBudgets) {
        // A key without a budgets scope reads its own usage, and only that.
        if (query.key !== undefined && query.key !== caller.keyId) throw ownUsageOnly(caller.keyId ?? "", query.key);
        report = await ledger.report({ ...query, key: caller.keyId, pool: req.pool || undefined });
      } else if (req.pool !== "") report = await usePool(caller, req.pool, () => ledger.report({ ...query, pool: req.pool }));
      else if (caller.unrestricted) report = await ledger.report(query);
      else {
        // Only the pools this caller may see, summed as one report.
        const pools = (await ledger.listPools()).filter((p) => caller.mayUse(p.name));
        report = mergeReports(await Promise.all(pools.map((p) => ledger.report({ ...query, pool: p.name }))));
      }
      return { rows: report.rows.map(toWireRow), total: toWireRow(report.total) };
    },
  };
}

/** Registers hoosh.v1.BudgetService on a Connect router. */
export function registerBudget(
  router: ConnectRouter,
  ledger: BudgetLedger,
  options?: BudgetServiceOptions,
): ConnectRouter {
  return router.service(BudgetService, createBudgetService(ledger, options));
}
