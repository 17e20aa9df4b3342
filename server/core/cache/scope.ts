// Who shares cached answers ([cache] scope), as the partition the cache key holds
// (cache/key.ts). Answers are always shared only by callers allowed every model
// the request reaches (auth checks that before the cache is asked); the scope
// narrows it further:
//   "global"  every such caller (and every request when auth is off)
//   "team"    keys with the same default_pool (hoosh has no teams of keys yet:
//             a key's default pool stands for its team); a key without a
//             default_pool is a team of its own. The default.
//   "key"     each API key alone
// The semantic cache buckets by the same key, so it never crosses the scope either.
import type { CallContext } from "../../providers/provider.js";

export type CacheScope = "global" | "team" | "key";

export const DEFAULT_CACHE_SCOPE: CacheScope = "team";

export function cachePartition(scope: CacheScope, key: CallContext["key"]): string {
  if (!key || scope === "global") return "";
  if (scope === "team" && key.defaultPool !== undefined) return `team:${key.defaultPool}`;
  return `key:${key.id}`;
}
