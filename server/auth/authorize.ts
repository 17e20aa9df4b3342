// The one place access is decided, for every edge: who is calling
// (authenticate), may they do this (authorize: the scope), to everything the
// request can reach (authorizeRequest: every model, through aliases and
// fallbacks, and the budget pool it charges), and are they within their
// requests and tokens per minute (admit, through the shared rate windows:
// exact across replicas with Redis). Errors name the key id and what was
// refused, never the key, and never list what else exists.
import { Code, ConnectError } from "@connectrpc/connect";
import type { RoutingHints } from "../../gen/ts/hoosh/v1/chat_pb.js";
import type { AuthConfig, KeyConfig, KeyScope } from "../config/schema.js";
import { choosePool } from "../core/accounting/pool.js";
import { MemoryRateWindows } from "../core/rate-limit/memory.js";
import { limitsByName, RateLimiter } from "../core/rate-limit/limiter.js";
import { checkRoutingHints } from "../core/validate.js";
import { KeyDirectory } from "./directory.js";
import { presentedKey, type ApiKey, type HeaderGetter, type KeyIdentity } from "./keys.js";
import { InFlight } from "./in-flight.js";

export type Scope = KeyScope;

type Hints = Pick<RoutingHints, "provider" | "strategy" | "fallbackModels">;

/** The parts of a request that decide what it reaches (Generate, GenerateStream, Embed, a transcription's config). */
export interface RequestReach {
  model: string;
  routing?: Hints | undefined;
  budgetPool?: string | undefined;
  metadata?: { [k: string]: string } | undefined;
}

/** Every model a request reaches (core/router.ts Router.reach: aliases and fallback models expanded). */
export type ReachFn = (model: string, hints?: Pick<RoutingHints, "fallbackModels">) => string[];

export interface AuthExtras {
  /** The app's keys, config and stored (app/keys.ts); default: the config's keys only. */
  directory?: KeyDirectory;
  /** The app's shared limiter; default: in-memory windows over these keys' rpm/tpm. */
  limiter?: RateLimiter;
  now?: () => number;
  /** The router's model expansion (aliases); none: the names as written are all a request reaches. */
  reach?: ReachFn;
}

export class Auth {
  readonly ring: KeyDirectory;
  private readonly limiter: RateLimiter;
  private readonly reach: ReachFn | undefined;
  private readonly inFlight = new InFlight();

  constructor(
    keys: readonly KeyConfig[],
    readonly options: AuthConfig,
    extras: AuthExtras = {},
  ) {
    this.ring = extras.directory ?? new KeyDirectory(keys, undefined);
    this.limiter = extras.limiter ?? new RateLimiter(new MemoryRateWindows(), { keys: limitsByName(keys, (k) => k.id), now: extras.now });
    this.reach = extras.reach;
  }

  /** False with no key configured or stored: every request is let through (serve then insists on loopback). */
  get enabled(): boolean {
    return this.ring.enabled;
  }

  /**
   * The caller's key, or undefined when auth is off. Throws Unauthenticated
   * (no key, unknown key, disabled key).
   */
  authenticate(get: HeaderGetter): ApiKey | undefined {
    if (!this.enabled) return undefined;
    const found = this.ring.lookup(presentedKey(get));
    switch (found.kind) {
      case "ok":
        return found.key;
      case "missing":
        throw new ConnectError("missing API key: send `authorization: Bearer <key>` or `x-api-key: <key>`", Code.Unauthenticated);
      case "disabled":
        throw new ConnectError(`API key "${found.id}" is disabled`, Code.Unauthenticated);
      case "revoked":
        throw new ConnectError(`API key "${found.id}" was revoked at ${new Date(found.at).toISOString()}`, Code.Unauthenticated);
      case "expired": {
        const which = found.previous ? "the previous secret of API key" : "API key";
        throw new ConnectError(`${which} "${found.id}" expired at ${new Date(found.at).toISOString()}`, Code.Unauthenticated);
      }
      default:
        throw new ConnectError("invalid API key", Code.Unauthenticated);
    }
  }

  /**
   * PermissionDenied unless the key has the scope ("admin" grants every scope)
   * and, when a model is given, its `models` globs allow it. No-op when auth is off.
   */
  authorize(key: ApiKey | undefined, scope: Scope | readonly Scope[], model?: string): void {
    if (!key) return;
    const wanted: readonly Scope[] = typeof scope === "string" ? [scope] : scope;
    if (!key.scopes.has("admin") && !wanted.some((s) => key.scopes.has(s))) {
      const need = wanted.map((s) => `"${s}"`).join(" or ");
      throw new ConnectError(`API key "${key.id}" lacks scope ${need}`, Code.PermissionDenied);
    }
    if (model !== undefined && model !== "" && !key.allowsModel(model)) throw modelDenied(key, model);
  }

  /**
   * authorize for a whole request: the scope, then every model it can reach
   * (the model, each fallback model, and what aliases among them stand for),
   * then the budget pool it charges (field, metadata, `headerPool`, the key's
   * default). The routing hints are bounded first (core/validate.ts), so a
   * request naming 300,000 fallback models costs one length check.
   */
  authorizeRequest(key: ApiKey | undefined, scope: Scope | readonly Scope[], req: RequestReach, headerPool?: string): void {
    this.authorize(key, scope);
    if (!key) return;
    checkRoutingHints(req.routing);
    // An empty model is left to validation (InvalidArgument "model: is required").
    const asked = [req.model, ...(req.routing?.fallbackModels ?? [])].filter((m) => m !== "");
    for (const model of asked) if (!key.allowsModel(model)) throw modelDenied(key, model);
    for (const name of asked) {
      for (const model of this.reach?.(name) ?? []) if (!key.allowsModel(model)) throw modelDenied(key, model, name);
    }
    choosePool({ budgetPool: req.budgetPool ?? "", metadata: req.metadata ?? {} }, { budgetPool: headerPool, key });
  }

  /**
   * Counts one request against the key's rpm (and its team's), and checks the
   * tokens their finished calls used against their tpm: ResourceExhausted with
   * retry-after when over; Unavailable when the shared windows' store is down.
   */
  async admit(key: ApiKey | undefined): Promise<void> {
    if (!key) return;
    await this.limiter.admitKey(key.id);
    if (key.team !== undefined) await this.limiter.admitTeam(key.team);
  }

  /**
   * Counts a request in flight for the key and its team (max_concurrent_requests, per process):
   * ResourceExhausted when either is at its limit. Call the returned function when it ends.
   */
  enter(key: ApiKey | undefined): () => void {
    if (!key || (key.maxConcurrent === undefined && key.team === undefined)) return NOTHING;
    const team = key.team === undefined ? undefined : this.ring.teamLimits(key.team)?.maxConcurrent;
    return this.inFlight.enter(key.id, key.maxConcurrent, key.team, team);
  }

  /** authenticate + authorize (scope only) + admit, for edges that check the model later. */
  async check(get: HeaderGetter, scope: Scope | readonly Scope[]): Promise<ApiKey | undefined> {
    const key = this.authenticate(get);
    this.authorize(key, scope);
    await this.admit(key);
    return key;
  }

  /**
   * For endpoints outside the RPC and REST edges (e.g. /metrics): throws
   * Unauthenticated / PermissionDenied unless the headers carry a key with the
   * scope. Open when auth is off.
   */
  requireScope(headers: Headers | Record<string, string | string[] | undefined>, scope: Scope): KeyIdentity | undefined {
    const key = this.authenticate(headerGetter(headers));
    this.authorize(key, scope);
    return key && identity(key);
  }
}

const NOTHING = (): void => {};

/** PermissionDenied naming the key id and the model (and the alias that reached it). */
export function modelDenied(key: { id: string }, model: string, alias?: string): ConnectError {
  const via = alias === undefined ? "" : ` (alias "${alias}" stands for it)`;
  return new ConnectError(`API key "${key.id}" may not use model "${model}"${via}`, Code.PermissionDenied);
}

/** What CallContext.key carries: the id, the default pool, team and budgets, and the key's grants (no scopes, never the key). */
export function identity(key: ApiKey): KeyIdentity {
  const out: KeyIdentity = { id: key.id, allowsModel: key.allowsModel, allowsPool: key.allowsPool };
  if (key.defaultPool !== undefined) out.defaultPool = key.defaultPool;
  if (key.team !== undefined) out.team = key.team;
  const budgets = key.budgets;
  if (budgets !== undefined && budgets.length > 0) out.budgets = budgets;
  return out;
}

/** A HeaderGetter over Fetch Headers or a Node header map. */
export function headerGetter(headers: Headers | Record<string, string | string[] | undefined>): HeaderGetter {
  if (headers instanceof Headers) return (name) => headers.get(name) ?? undefined;
  return (name) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
}
