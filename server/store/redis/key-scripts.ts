/**
 * The Lua scripts of the Redis KeyStore (key-store.ts): each check-and-write is one script, so
 * replicas sharing the Redis never interleave between the check and the write. ARGV[1] is the
 * key prefix P. Layout: P.."keys" hash id → key JSON; P.."keys-v" zset id → version;
 * P.."key-names" hash name → id of the unrevoked key with it; P.."team-keys:"..team set of its
 * unrevoked key ids; P.."teams" hash name → team JSON (a deleted one carries deletedAt);
 * P.."teams-v" zset name → version; P.."keys-version" the change counter; P.."key-used" hash id → ms.
 */

/** ARGV[2] since → {version, {id, json, version}..., {name, json, version}...}. */
export const CHANGES = String.raw`
local P, since = ARGV[1], ARGV[2]
local function since_(set, hash)
  local out = {}
  local ids = redis.call('ZRANGEBYSCORE', P .. set, '(' .. since, '+inf', 'WITHSCORES')
  for i = 1, #ids, 2 do
    out[#out + 1] = redis.call('HGET', P .. hash, ids[i])
    out[#out + 1] = ids[i + 1]
  end
  return out
end
return { redis.call('GET', P .. 'keys-version') or '0', since_('keys-v', 'keys'), since_('teams-v', 'teams') }
`;

/** ARGV[2] 'keys' | 'teams', [3] id or name → {json, version} or {}. */
export const GET = String.raw`
local P, kind, id = ARGV[1], ARGV[2], ARGV[3]
local json = redis.call('HGET', P .. kind, id)
if not json then return {} end
return { json, redis.call('ZSCORE', P .. kind .. '-v', id) }
`;

/**
 * ARGV[2] 'create' | 'replace', [3] id, [4] key JSON, [5] name, [6] team or '', [7] '1' when
 * revoked, [8] expected version (replace) → {'ok', version} | {'name-taken', holder} | {'no-team'}
 * | {'conflict'} | {'not-found'}.
 */
export const WRITE_KEY = String.raw`
local P, mode, id, json, name, team, revoked, expected = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local cur = redis.call('ZSCORE', P .. 'keys-v', id)
if mode == 'create' and cur then return { 'conflict' } end
if mode == 'replace' then
  if not cur then return { 'not-found' } end
  if tonumber(cur) ~= tonumber(expected) then return { 'conflict' } end
end
if revoked == '' then
  local holder = redis.call('HGET', P .. 'key-names', name)
  if holder and holder ~= id then return { 'name-taken', holder } end
  if team ~= '' then
    local t = redis.call('HGET', P .. 'teams', team)
    if not t or cjson.decode(t).deletedAt then return { 'no-team' } end
  end
end
if cur then
  local old = cjson.decode(redis.call('HGET', P .. 'keys', id))
  if redis.call('HGET', P .. 'key-names', old.name) == id then redis.call('HDEL', P .. 'key-names', old.name) end
  if old.team then redis.call('SREM', P .. 'team-keys:' .. old.team, id) end
end
if revoked == '' then
  redis.call('HSET', P .. 'key-names', name, id)
  if team ~= '' then redis.call('SADD', P .. 'team-keys:' .. team, id) end
end
local v = redis.call('INCR', P .. 'keys-version')
redis.call('HSET', P .. 'keys', id, json)
redis.call('ZADD', P .. 'keys-v', v, id)
return { 'ok', v }
`;

/**
 * ARGV[2] 'create' | 'replace' | 'delete', [3] name, [4] team JSON (a deleted one's carries
 * deletedAt), [5] expected version → {'ok', version} | {'exists'} | {'not-found'} | {'conflict'}
 * | {'in-use', keys}.
 */
export const WRITE_TEAM = String.raw`
local P, mode, name, json, expected = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local old = redis.call('HGET', P .. 'teams', name)
local live = old and not cjson.decode(old).deletedAt
if mode == 'create' then
  if live then return { 'exists' } end
else
  if not live then return { 'not-found' } end
  if tonumber(redis.call('ZSCORE', P .. 'teams-v', name)) ~= tonumber(expected) then return { 'conflict' } end
  if mode == 'delete' then
    local n = redis.call('SCARD', P .. 'team-keys:' .. name)
    if n > 0 then return { 'in-use', n } end
  end
end
local v = redis.call('INCR', P .. 'keys-version')
redis.call('HSET', P .. 'teams', name, json)
redis.call('ZADD', P .. 'teams-v', v, name)
return { 'ok', v }
`;

/** From ARGV[2]: id, ms pairs; keeps the later of stored and given. */
export const TOUCH = String.raw`
local P = ARGV[1]
for i = 2, #ARGV, 2 do
  local at = tonumber(redis.call('HGET', P .. 'key-used', ARGV[i]) or '0')
  if tonumber(ARGV[i + 1]) > at then redis.call('HSET', P .. 'key-used', ARGV[i], ARGV[i + 1]) end
end
return 0
`;
