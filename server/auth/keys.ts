// API keys: the configured [[keys]] as a ring looked up by the sha256 of the
// presented key. The key itself is never stored, logged or put in an error;
// only its id is. Lookup goes through a Map of hashes, and the match is still
// confirmed with timingSafeEqual over the fixed-length digests.
import { timingSafeEqual } from "node:crypto";
import { hashKey } from "../core/keys/secret.js";
import picomatch from "picomatch";
import type { KeyConfig, KeyScope } from "../config/schema.js";
import { DEFAULT_POOL } from "../core/accounting/pool.js";
import { patternFilter } from "../mcp/allowlist.js";
import type { LinkedBudget } from "../providers/provider.js";
import { isManagedPool } from "../core/budget/validate.js";

/** The authenticated caller, as carried in CallContext.key and logs. */
export interface KeyIdentity {
  id: string;
  defaultPool?: string;
  /** Its team (keys made at run time may belong to one). */
  team?: string;
  /** Budgets charged with every request besides the request's pool: the key's own and its team's. */
  budgets?: readonly LinkedBudget[];
  /** True when the key may use this model (its `models` globs). */
  allowsModel(model: string): boolean;
  /** True when the key may charge, read and reserve in this budget pool (see poolGrant). */
  allowsPool(pool: string): boolean;
}

export interface ApiKey extends KeyIdentity {
  scopes: ReadonlySet<KeyScope>;
  rpm?: number;
  tpm?: number;
  /** Requests in flight at once (per process); none: no limit. */
  maxConcurrent?: number;
  /** True when the key may list and call this exposed MCP name (its `tools` globs; none by default). */
  allowsTool(name: string): boolean;
}

/**
 * The pools a key may use: its default pool (default_pool, else the pool named
 * "default"), plus the globs in `pools`; an admin key may use every pool.
 */
export function poolGrant(k: { readonly scopes: readonly KeyScope[]; readonly default_pool?: string | undefined; readonly pools: readonly string[] }): (pool: string) => boolean {
  if (k.scopes.includes("admin")) return () => true;
  const own = k.default_pool ?? DEFAULT_POOL;
  const listed = k.pools.length > 0 ? picomatch([...k.pools], { dot: true }) : () => false;
  // The pools of keys' and teams' own budgets are charged through their keys, never named by a request.
  return (pool) => pool === own || (listed(pool) && !isManagedPool(pool));
}

/** Header carrying the key, as a header-map lookup (HTTP/1.1, HTTP/2 and Connect Headers alike). */
export type HeaderGetter = (name: string) => string | undefined;

export { generateKey, hashKey } from "../core/keys/secret.js";

/**
 * Compares two hex digests in constant time. Digests of other lengths (or
 * non-hex text) never match and never throw (timingSafeEqual needs equal lengths).
 */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  if (x.length === 0 || x.length !== y.length || x.length * 2 !== a.length || y.length * 2 !== b.length) {
    // Still spend a comparison, so a wrong length is not measurably faster.
    timingSafeEqual(x, x);
    return false;
  }
  return timingSafeEqual(x, y);
}

/** The key a request presents: `authorization: Bearer <key>` or `x-api-key: <key>`. */
export function presentedKey(get: HeaderGetter): string | undefined {
  const auth = get("authorization")?.trim();
  if (auth) {
    const m = /^bearer\s+(\S+)$/i.exec(auth);
    if (m) return m[1];
  }
  const x = get("x-api-key")?.trim();
  return x || undefined;
}

export type Lookup =
  | { kind: "ok"; key: ApiKey }
  | { kind: "missing" }
  | { kind: "invalid" }
  | { kind: "disabled"; id: string }
  /** A key made at run time that was revoked, or whose expiry (or the previous secret's grace period) passed. */
  | { kind: "revoked"; id: string; at: number }
  | { kind: "expired"; id: string; at: number; previous?: boolean };

export class KeyRing {
  private readonly byHash = new Map<string, { hash: string; key: ApiKey; enabled: boolean }>();
  private readonly ids = new Map<string, ApiKey>();

  constructor(keys: readonly KeyConfig[]) {
    for (const k of keys) {
      const hash = k.hash.toLowerCase();
      const matches = picomatch(k.models, { nocase: true, dot: true });
      const key: ApiKey = {
        id: k.id,
        defaultPool: k.default_pool,
        scopes: new Set(k.scopes),
        allowsModel: (model) => matches(model),
        allowsPool: poolGrant(k),
        rpm: k.rpm,
        tpm: k.tpm,
        allowsTool: patternFilter(k.tools ?? []),
      };
      this.byHash.set(hash, { hash, key, enabled: k.enabled });
      if (k.enabled) this.ids.set(k.id, key);
    }
  }

  /** An enabled key by its id (for checks made after authentication). */
  byId(id: string): ApiKey | undefined {
    return this.ids.get(id);
  }

  /** True when any key is configured: auth is on. */
  get enabled(): boolean {
    return this.byHash.size > 0;
  }

  lookup(presented: string | undefined): Lookup {
    if (presented === undefined) return { kind: "missing" };
    return this.lookupDigest(hashKey(presented));
  }

  /** lookup() by the presented key's sha256 (computed once by a caller that looks in several places). */
  lookupDigest(digest: string): Lookup {
    const entry = this.byHash.get(digest);
    if (!entry || !digestsEqual(digest, entry.hash)) return { kind: "invalid" };
    if (!entry.enabled) return { kind: "disabled", id: entry.key.id };
    return { kind: "ok", key: entry.key };
  }
}
