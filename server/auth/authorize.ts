// The one place access is decided, for every edge: who is calling
// (authenticate), may they do this to this model (authorize), and are they
// within their requests and tokens per minute (admit, through the shared rate
// windows: exact across replicas with Redis). Errors name the key id and the
// model, never the key.
import { Code, ConnectError } from "@connectrpc/connect";
import type { AuthConfig, KeyConfig, KeyScope } from "../config/schema.js";
import { MemoryRateWindows } from "../core/rate-limit/memory.js";
import { limitsByName, RateLimiter } from "../core/rate-limit/limiter.js";
import { KeyRing, presentedKey, type ApiKey, type HeaderGetter, type KeyIdentity } from "./keys.js";

export type Scope = KeyScope;

export class Auth {
  readonly ring: KeyRing;
  private readonly limiter: RateLimiter;

  /** `rate.limiter`: the app's shared limiter; default: in-memory windows over these keys' rpm/tpm. */
  constructor(
    keys: readonly KeyConfig[],
    readonly options: AuthConfig,
    rate: { limiter?: RateLimiter; now?: () => number } = {},
  ) {
    this.ring = new KeyRing(keys);
    this.limiter = rate.limiter ?? new RateLimiter(new MemoryRateWindows(), { keys: limitsByName(keys, (k) => k.id), now: rate.now });
  }

  /** False with no [[keys]]: every request is let through (serve then insists on loopback). */
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
    if (model !== undefined && model !== "" && !key.allowsModel(model)) {
      throw new ConnectError(`API key "${key.id}" may not use model "${model}"`, Code.PermissionDenied);
    }
  }

  /**
   * Counts one request against the key's rpm, and checks the tokens its
   * finished calls used against its tpm: ResourceExhausted with retry-after
   * when over; Unavailable when the shared windows' store is down.
   */
  async admit(key: ApiKey | undefined): Promise<void> {
    if (key) await this.limiter.admitKey(key.id);
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

export function identity(key: ApiKey): KeyIdentity {
  return key.defaultPool === undefined ? { id: key.id } : { id: key.id, defaultPool: key.defaultPool };
}

/** A HeaderGetter over Fetch Headers or a Node header map. */
export function headerGetter(headers: Headers | Record<string, string | string[] | undefined>): HeaderGetter {
  if (headers instanceof Headers) return (name) => headers.get(name) ?? undefined;
  return (name) => {
    const v = headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
}
