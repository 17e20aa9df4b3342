// Who shares cached answers ([cache] scope), as the partition the cache key holds
// (cache/key.ts). Answers are always shared only by callers allowed every model
// the request reaches (auth checks that before the cache is asked); the scope
// narrows it further:
//   "global"  every such caller (and every request when auth is off)
//   "team"    keys of the same team (KeysService teams); a key without a team
//             shares with keys of the same default_pool (a [[keys]] entry's
//             default pool stands for its team), and a key with neither is a
//             team of its own. The default.
//   "key"     each API key alone
// The semantic cache buckets by the same key, so it never crosses the scope either.
import type { CallContext } from "../../providers/provider.js";

export type CacheScope = "global" | "team" | "key";

export const DEFAULT_CACHE_SCOPE: CacheScope = "team";

export function cachePartition(scope: CacheScope, key: CallContext["key"]): string {
  if (!key || scope === "global") return "";
  if (scope === "team" && key.team !== undefined) return `team:${key.team}`;
  if (scope === "team" && key.defaultPool !== undefined) return `pool:${key.defaultPool}`;
  return `key:${key.id}`;
}
