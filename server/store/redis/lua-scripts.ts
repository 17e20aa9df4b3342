/**
 * The budget store's Lua scripts: each BudgetStore step that reads and changes
 * state is one script, so Redis runs it atomically (no other client's command
 * interleaves). Each starts with LUA_LIB (see there for the ARGV[1..5] every
 * script takes and the key layout); their own arguments start at ARGV[6].
 */
import { LUA_LIB } from "./lua-lib.js";

const script = (body: string): string => `${LUA_LIB}\n${body}`;

/** ARGV[6] name → pool reply or nil. */
export const GET_POOL = script(String.raw`
local p = current(ARGV[6])
if not p then return false end
return flat(p)
`);

/** → pool replies sorted by name. */
export const LIST_POOLS = script(String.raw`
local names = redis.call('SMEMBERS', POOLS)
table.sort(names)
local out = {}
for _, name in ipairs(names) do
  local p = current(name)
  if p then out[#out + 1] = flat(p) end
end
return out
`);

/** ARGV[6] name, [7] capacity tokens or '', [8] capacity usd or '', [9] period → {'created'|'exists', pool}. */
export const CREATE_POOL = script(String.raw`
local name = ARGV[6]
local p = current(name)
if p then return { 'exists', flat(p) } end
p = { name = name, period = ARGV[9], start = STARTS[ARGV[9]] or NOW, epoch = 0,
  used_t = 0, res_t = 0, used_u = 0, res_u = 0, cap_t = tonumber(ARGV[7]), cap_u = tonumber(ARGV[8]) }
savePool(p)
saveLimits(p)
redis.call('SADD', POOLS, name)
return { 'created', flat(p) }
`);

/**
 * ARGV[6] name, [7] capacity tokens, [8] capacity usd (each '' keep, 'null' clear, or a number),
 * [9] period or '' (keep) → {'updated'|'no-capacity', pool} or {'no-pool'}.
 */
export const UPDATE_POOL = script(String.raw`
local p = current(ARGV[6])
if not p then return { 'no-pool' } end
local function patched(old, v)
  if v == '' then return old elseif v == 'null' then return nil else return tonumber(v) end
end
local capT = patched(p.cap_t, ARGV[7])
local capU = patched(p.cap_u, ARGV[8])
if not capT and not capU then return { 'no-capacity', flat(p) } end
local period = ARGV[9] ~= '' and ARGV[9] or p.period
-- A new period kind keeps the balance and epoch but re-anchors it (as the memory store does).
if period ~= p.period and period ~= 'none' then p.start = STARTS[period] end
p.cap_t, p.cap_u, p.period = capT, capU, period
savePool(p)
saveLimits(p)
return { 'updated', flat(p) }
`);

/** ARGV[6] pool, [7] id, [8] tokens, [9] usd, [10] expires_at → {'reserved'|'over-budget', pool} or {'no-pool'}. */
export const RESERVE = script(String.raw`
local name, id = ARGV[6], ARGV[7]
local p = current(name)
if not p then return { 'no-pool' } end
local t, u = tonumber(ARGV[8]), tonumber(ARGV[9])
if not (fits(p.cap_t, p.used_t, p.res_t, t) and fits(p.cap_u, p.used_u, p.res_u, u)) then
  return { 'over-budget', flat(p) }
end
if redis.call('EXISTS', resKey(id)) == 1 then return redis.error_reply('budget store: reservation id ' .. id .. ' already used') end
redis.call('HSET', resKey(id), 'pool', name, 'tokens', ARGV[8], 'usd', ARGV[9], 'created', S(NOW),
  'expires', ARGV[10], 'epoch', S(p.epoch), 'status', 'active')
redis.call('ZADD', dueKey(name), ARGV[10], id)
p.res_t, p.res_u = p.res_t + t, p.res_u + u
savePool(p)
return { 'reserved', flat(p) }
`);

/**
 * Commit or release. ARGV[6] id, [7] 'committed' | 'released', [8] tokens, [9] usd (committed only)
 * → {'done', reservation, pool} | {'unknown'} | {finished status, reservation, at}.
 */
export const FINISH = script(String.raw`
local id = ARGV[6]
local r = redis.call('HMGET', resKey(id), 'pool', 'tokens', 'usd', 'created', 'expires', 'epoch', 'status', 'at')
if not r[1] then return { 'unknown' } end
local p
if r[7] == 'active' then
  p = current(r[1])
  if tonumber(r[5]) <= NOW then -- current() expired this very reservation
    local s = redis.call('HMGET', resKey(id), 'status', 'at')
    r[7], r[8] = s[1], s[2]
  end
end
local res = { r[1], r[2], r[3], r[4], r[5], r[6] }
if r[7] ~= 'active' then return { r[7], res, r[8] } end
if not p then return redis.error_reply('budget store: reservation ' .. id .. ' belongs to missing pool ' .. r[1]) end
finish(id, r[1], ARGV[7], NOW)
if tonumber(r[6]) == p.epoch then unhold(p, tonumber(r[2]), tonumber(r[3])) end
if ARGV[7] == 'committed' then
  p.used_t, p.used_u = p.used_t + tonumber(ARGV[8]), p.used_u + tonumber(ARGV[9])
end
savePool(p)
return { 'done', res, flat(p) }
`);

/** ARGV[6] forget finished at or before this (ms), [7] at most this many per call → how many holds expired. */
export const EXPIRE = script(String.raw`
local expired = 0
for _, name in ipairs(redis.call('SMEMBERS', POOLS)) do
  local p = loadPool(name)
  if p then
    local n = expireDue(p)
    if n > 0 then savePool(p) end
    expired = expired + n
  end
end
local old = redis.call('ZRANGEBYSCORE', FINISHED, '-inf', ARGV[6], 'LIMIT', 0, tonumber(ARGV[7]))
for _, id in ipairs(old) do
  redis.call('DEL', resKey(id))
  redis.call('ZREM', FINISHED, id)
end
return expired
`);

/** ARGV[6] pool, [7] time, [8] record JSON. Members are a 16-digit sequence then the JSON (insertion order within a ms). */
export const APPEND_USAGE = script(String.raw`
local seq = redis.call('INCR', P .. 'usage-seq')
redis.call('ZADD', P .. 'usage:' .. ARGV[6], ARGV[7], string.format('%016d', seq) .. ARGV[8])
redis.call('SADD', P .. 'usage-pools', ARGV[6])
return seq
`);

/** ARGV[6] pool or '' (all), [7] min score, [8] max score → members. */
export const QUERY_USAGE = script(String.raw`
local pools = ARGV[6] ~= '' and { ARGV[6] } or redis.call('SMEMBERS', P .. 'usage-pools')
local out = {}
for _, pool in ipairs(pools) do
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', P .. 'usage:' .. pool, ARGV[7], ARGV[8])) do out[#out + 1] = m end
end
return out
`);
