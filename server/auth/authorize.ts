// The one place access is decided, for every edge: who is calling
// (authenticate), may they do this to this model (authorize), and are they
// within their requests-per-minute (rate). Errors name the key id and the
// model, never the key.
import { Code, ConnectError } from "@connectrpc/connect";
import type { AuthConfig, KeyConfig, KeyScope } from "../config/schema.js";
import { KeyRing, presentedKey, type ApiKey, type HeaderGetter, type KeyIdentity } from "./keys.js";

export type Scope = KeyScope;

/** A token bucket per key: `rpm` requests a minute, bursts up to `rpm`. */
class KeyRate {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly now: () => number) {}

  /** Takes one request; returns the seconds to wait when none is left. */
  take(id: string, rpm: number): number | undefined {
    const now = this.now();
    const perMs = rpm / 60_000;
    const b = this.buckets.get(id) ?? { tokens: rpm, at: now };
    b.tokens = Math.min(rpm, b.tokens + (now - b.at) * perMs);
    b.at = now;
    this.buckets.set(id, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return undefined;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perMs / 1000));
  }
}

export class Auth {
  readonly ring: KeyRing;
  private readonly rate: KeyRate;

  constructor(
    keys: readonly KeyConfig[],
    readonly options: AuthConfig,
    now: () => number = Date.now,
  ) {
    this.ring = new KeyRing(keys);
    this.rate = new KeyRate(now);
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

  /** Counts one request against the key's rpm; ResourceExhausted with retry-after when over. */
  admit(key: ApiKey | undefined): void {
    if (!key?.rpm) return;
    const wait = this.rate.take(key.id, key.rpm);
    if (wait === undefined) return;
    throw new ConnectError(
      `API key "${key.id}" exceeded its limit of ${key.rpm} requests per minute; retry in ${wait} s`,
      Code.ResourceExhausted,
      { "retry-after": String(wait) },
    );
  }

  /** authenticate + authorize (scope only) + admit, for edges that check the model later. */
  check(get: HeaderGetter, scope: Scope | readonly Scope[]): ApiKey | undefined {
    const key = this.authenticate(get);
    this.authorize(key, scope);
    this.admit(key);
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
