/**
 * hoosh.v1.KeysService over a KeyAdmin (core/keys/admin.ts): proto in, proto out. Admin scope
 * (auth/interceptor.ts: methods not listed there need "admin"). Every change is appended to the
 * audit log with the key's id and name, never its secret or hash.
 */
import { create } from "@bufbuild/protobuf";
import { timestampFromMs, timestampMs, type Duration } from "@bufbuild/protobuf/wkt";
import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import {
  ApiKeySchema,
  KeySource,
  KeyState,
  KeysService,
  LimitsSchema,
  TeamSchema,
  type ApiKey,
  type Budget,
  type Limits,
  type Team,
} from "../../gen/ts/hoosh/v1/keys_pb.js";
import { BudgetSchema } from "../../gen/ts/hoosh/v1/keys_pb.js";
import { invalidArgument } from "../core/budget/errors.js";
import type { KeyAdmin, KeyInput, TeamInput } from "../core/keys/admin.js";
import type { BudgetSpec, KeyLimits } from "../core/keys/types.js";
import type { KeyView, TeamView } from "../core/keys/views.js";
import { PERIOD_TO_WIRE, periodFromWire } from "./budget-period.js";

export interface KeysServiceOptions {
  /** The audit log (server/observability): called after each change succeeded. */
  readonly audit?: (ctx: HandlerContext, action: string, details: Record<string, unknown>) => void;
}

const STATE: Record<KeyView["state"], KeyState> = { active: KeyState.ACTIVE, revoked: KeyState.REVOKED, expired: KeyState.EXPIRED, disabled: KeyState.DISABLED };
const ts = (ms: number | undefined) => (ms === undefined ? undefined : timestampFromMs(ms));

function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw invalidArgument(field, "required, but not set");
  return value;
}

function limitsIn(l: Limits | undefined): KeyInput["limits"] {
  return { rpm: l?.rpm, tpm: l?.tpm, maxConcurrent: l?.maxConcurrentRequests };
}

function budgetIn(b: Budget | undefined, field: string): KeyInput["budget"] {
  return b && { tokens: b.tokens, usdMicros: b.usdMicros, period: periodFromWire(b.period, `${field}.period`), pool: b.pool || undefined };
}

function keyIn(k: ApiKey): KeyInput {
  return {
    name: k.name,
    team: k.team || undefined,
    scopes: k.scopes,
    models: k.models,
    limits: limitsIn(k.limits),
    budget: budgetIn(k.budget, "key.budget"),
    expiresAt: k.expireTime ? timestampMs(k.expireTime) : undefined,
    metadata: k.metadata,
  };
}

function teamIn(t: Team): TeamInput {
  return { name: t.name, limits: limitsIn(t.limits), budget: budgetIn(t.budget, "team.budget"), metadata: t.metadata };
}

function limitsOut(l: KeyLimits): Limits {
  return create(LimitsSchema, { rpm: l.rpm, tpm: l.tpm, maxConcurrentRequests: l.maxConcurrent });
}

function budgetOut(b: BudgetSpec | undefined): Budget | undefined {
  if (!b) return undefined;
  return create(BudgetSchema, {
    tokens: b.tokens === undefined ? undefined : BigInt(b.tokens),
    usdMicros: b.usdMicros === undefined ? undefined : BigInt(b.usdMicros),
    period: PERIOD_TO_WIRE[b.period],
    pool: b.pool ?? "",
  });
}

export function keyOut(v: KeyView): ApiKey {
  return create(ApiKeySchema, {
    id: v.id,
    name: v.name,
    team: v.team ?? "",
    scopes: [...v.scopes],
    models: [...v.models],
    limits: limitsOut(v.limits),
    budget: budgetOut(v.budget),
    expireTime: ts(v.expiresAt),
    metadata: { ...v.metadata },
    createTime: ts(v.createdAt),
    lastUsedTime: ts(v.lastUsedAt),
    revokeTime: ts(v.revokedAt),
    source: v.source === "config" ? KeySource.CONFIG : KeySource.STORED,
    state: STATE[v.state],
    previousSecretExpireTime: ts(v.previousSecretExpiresAt),
    budgetPool: v.budgetPool ?? "",
  });
}

function teamOut(v: TeamView): Team {
  return create(TeamSchema, {
    name: v.name,
    limits: limitsOut(v.limits),
    budget: budgetOut(v.budget),
    metadata: { ...v.metadata },
    createTime: ts(v.createdAt),
    keys: BigInt(v.keys),
    budgetPool: v.budgetPool ?? "",
  });
}

function durationMs(d: Duration): number {
  return Number(d.seconds) * 1000 + Math.floor(d.nanos / 1e6);
}

/** What the audit log keeps of a key: never its secret or hash. */
const keyDetails = (v: KeyView) => ({ id: v.id, name: v.name, team: v.team, scopes: v.scopes });

export function createKeysService(admin: KeyAdmin, options: KeysServiceOptions = {}): ServiceImpl<typeof KeysService> {
  const audit = (ctx: HandlerContext, action: string, details: Record<string, unknown>) => options.audit?.(ctx, action, details);
  return {
    async createKey(req, ctx) {
      const { key, secret } = await admin.createKey(keyIn(required(req.key, "key")));
      audit(ctx, "key.create", keyDetails(key));
      return { key: keyOut(key), secret };
    },
    async listKeys(req) {
      return { keys: (await admin.listKeys({ team: req.team || undefined, includeRevoked: req.includeRevoked })).map(keyOut) };
    },
    async getKey(req) {
      return { key: keyOut(await admin.getKey(req.id)) };
    },
    async updateKey(req, ctx) {
      const key = required(req.key, "key");
      const view = await admin.updateKey(key.id, keyIn(key), req.updateMask?.paths ?? []);
      audit(ctx, "key.update", { ...keyDetails(view), update_mask: req.updateMask?.paths });
      return { key: keyOut(view) };
    },
    async revokeKey(req, ctx) {
      const view = await admin.revokeKey(req.id);
      audit(ctx, "key.revoke", keyDetails(view));
      return { key: keyOut(view) };
    },
    async rotateKey(req, ctx) {
      const { key, secret } = await admin.rotateKey(req.id, req.gracePeriod ? durationMs(req.gracePeriod) : undefined);
      audit(ctx, "key.rotate", { ...keyDetails(key), previous_secret_expires: key.previousSecretExpiresAt });
      return { key: keyOut(key), secret };
    },
    async createTeam(req, ctx) {
      const team = await admin.createTeam(teamIn(required(req.team, "team")));
      audit(ctx, "team.create", { name: team.name });
      return { team: teamOut(team) };
    },
    async listTeams() {
      return { teams: (await admin.listTeams()).map(teamOut) };
    },
    async getTeam(req) {
      return { team: teamOut(await admin.getTeam(req.name)) };
    },
    async updateTeam(req, ctx) {
      const team = required(req.team, "team");
      const view = await admin.updateTeam(team.name, teamIn(team), req.updateMask?.paths ?? []);
      audit(ctx, "team.update", { name: view.name, update_mask: req.updateMask?.paths });
      return { team: teamOut(view) };
    },
    async deleteTeam(req, ctx) {
      await admin.deleteTeam(req.name);
      audit(ctx, "team.delete", { name: req.name });
      return {};
    },
  };
}
