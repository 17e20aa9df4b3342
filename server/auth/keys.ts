// API keys: the configured [[keys]] as a ring looked up by the sha256 of the
// presented key. The key itself is never stored, logged or put in an error;
// only its id is. Lookup goes through a Map of hashes, and the match is still
// confirmed with timingSafeEqual over the fixed-length digests.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import picomatch from "picomatch";
import type { KeyConfig, KeyScope } from "../config/schema.js";
import { DEFAULT_POOL } from "../core/accounting/pool.js";
import { patternFilter } from "../mcp/allowlist.js";

/** The authenticated caller, as carried in CallContext.key and logs. */
export interface KeyIdentity {
  id: string;
  defaultPool?: string;
  /** True when the key may use this model (its `models` globs). */
  allowsModel(model: string): boolean;
  /** True when the key may charge, read and reserve in this budget pool (see poolGrant). */
  allowsPool(pool: string): boolean;
}

export interface ApiKey extends KeyIdentity {
  scopes: ReadonlySet<KeyScope>;
  rpm?: number;
  /** True when the key may list and call this exposed MCP name (its `tools` globs; none by default). */
  allowsTool(name: string): boolean;
}

/**
 * The pools a key may use: its default pool (default_pool, else the pool named
 * "default"), plus the globs in `pools`; an admin key may use every pool.
 */
export function poolGrant(k: Pick<KeyConfig, "scopes" | "default_pool" | "pools">): (pool: string) => boolean {
  if (k.scopes.includes("admin")) return () => true;
  const own = k.default_pool ?? DEFAULT_POOL;
  const listed = k.pools.length > 0 ? picomatch(k.pools, { dot: true }) : () => false;
  return (pool) => pool === own || listed(pool);
}

/** Header carrying the key, as a header-map lookup (HTTP/1.1, HTTP/2 and Connect Headers alike). */
export type HeaderGetter = (name: string) => string | undefined;

/** sha256 of the key as lowercase hex: what `[[keys]].hash` holds. */
export function hashKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** A new random key: "hk_" + 32 random bytes in base64url (256 bits). */
export function generateKey(): string {
  return `hk_${randomBytes(32).toString("base64url")}`;
}

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

export type Lookup = { kind: "ok"; key: ApiKey } | { kind: "missing" } | { kind: "invalid" } | { kind: "disabled"; id: string };

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
    const digest = hashKey(presented);
    const entry = this.byHash.get(digest);
    if (!entry || !digestsEqual(digest, entry.hash)) return { kind: "invalid" };
    if (!entry.enabled) return { kind: "disabled", id: entry.key.id };
    return { kind: "ok", key: entry.key };
  }
}
