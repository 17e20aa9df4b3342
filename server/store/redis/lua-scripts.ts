/**
 * The budget store's Lua scripts: each BudgetStore step that reads and changes
 * state is one script, so Redis runs it atomically (no other client's command
 * interleaves). Each starts with LUA_LIB (see there for the ARGV[1..6] every
 * script takes and the key layout); their own arguments start at ARGV[7].
 */
import { LUA_LIB } from "./lua-lib.js";

const script = (body: string): string => `${LUA_LIB}\n${body}`;

/** ARGV[7] name → pool reply with holds (withHolds) or nil. */
export const GET_POOL = script(String.raw`
local p = current(ARGV[7])
if not p then return false end
return withHolds(p)
`);

/** → pool replies with holds, sorted by name. */
export const LIST_POOLS = script(String.raw`
local names = redis.call('SMEMBERS', POOLS)
table.sort(names)
local out = {}
for _, name in ipairs(names) do
  local p = current(name)
  if p then out[#out + 1] = withHolds(p) end
end
return out
`);

/** ARGV[7] name, [8] capacity tokens or '', [9] capacity usd or '', [10] period → {'created'|'exists', pool}. */
export const CREATE_POOL = script(String.raw`
local name = ARGV[7]
local p = current(name)
if p then return { 'exists', flat(p) } end
p = { name = name, period = ARGV[10], start = STARTS[ARGV[10]] or NOW, epoch = 0,
  used_t = 0, res_t = 0, used_u = 0, res_u = 0, cap_t = tonumber(ARGV[8]), cap_u = tonumber(ARGV[9]) }
savePool(p)
saveLimits(p)
redis.call('SADD', POOLS, name)
return { 'created', flat(p) }
`);

/**
 * ARGV[7] name, [8] capacity tokens, [9] capacity usd (each '' keep, 'null' clear, or a number),
 * [10] period or '' (keep) → {'updated'|'no-capacity', pool} or {'no-pool'}.
 */
export const UPDATE_POOL = script(String.raw`
local p = current(ARGV[7])
if not p then return { 'no-pool' } end
local function patched(old, v)
  if v == '' then return old elseif v == 'null' then return nil else return tonumber(v) end
end
local capT = patched(p.cap_t, ARGV[8])
local capU = patched(p.cap_u, ARGV[9])
if not capT and not capU then return { 'no-capacity', flat(p) } end
local period = ARGV[10] ~= '' and ARGV[10] or p.period
-- A new period kind keeps the balance and epoch but re-anchors it (as the memory store does).
if period ~= p.period and period ~= 'none' then p.start = STARTS[period] end
p.cap_t, p.cap_u, p.period = capT, capU, period
savePool(p)
saveLimits(p)
return { 'updated', flat(p) }
`);

/**
 * ARGV[7] pool, [8] id, [9] tokens, [10] usd, [11] expires_at, [12..] linked pools
 * → {'reserved'|'over-budget', pool} or {'no-pool', missing name}. Held in every pool or none:
 * the reservation's hash lists its linked pools; each linked hold is a hash of its own (id@pool,
 * naming its reservation in 'of') in its pool's due set.
 */
export const RESERVE = script(String.raw`
local id = ARGV[8]
local t, u = tonumber(ARGV[9]), tonumber(ARGV[10])
local pools = {}
for i = 7, #ARGV do
  if i == 7 or i >= 12 then
    local p = current(ARGV[i])
    if not p then return { 'no-pool', ARGV[i] } end
    pools[#pools + 1] = p
  end
end
for _, p in ipairs(pools) do
  if not (fits(p.cap_t, p.used_t, p.res_t, t) and fits(p.cap_u, p.used_u, p.res_u, u)) then
    return { 'over-budget', flat(p) }
  end
end
if redis.call('EXISTS', resKey(id)) == 1 then return redis.error_reply('budget store: reservation id ' .. id .. ' already used') end
local linked = {}
for i = 2, #pools do linked[#linked + 1] = pools[i].name end
for i, p in ipairs(pools) do
  local rid = i == 1 and id or linkedId(id, p.name)
  redis.call('HSET', resKey(rid), 'pool', p.name, 'tokens', ARGV[9], 'usd', ARGV[10], 'created', S(NOW),
    'expires', ARGV[11], 'epoch', S(p.epoch), 'status', 'active')
  if i == 1 and #linked > 0 then redis.call('HSET', resKey(rid), 'linked', table.concat(linked, ',')) end
  if i > 1 then redis.call('HSET', resKey(rid), 'of', id) end
  redis.call('ZADD', dueKey(p.name), ARGV[11], rid)
  p.res_t, p.res_u = p.res_t + t, p.res_u + u
  savePool(p)
end
return { 'reserved', flat(pools[1]) }
`);

/**
 * Commit or release. ARGV[7] id, [8] 'committed' | 'released', [9] tokens, [10] usd (committed only),
 * [11] the usage record's JSON without its opening '{' or '' (committed only: appended in this same
 * step, with the reservation's pool in front), [12] its time
 * → {'done', reservation, pool} | {'unknown'} | {finished status, reservation, at, charged tokens, charged usd}.
 * A reservation's linked holds are finished (and their pools charged) in the same step; a linked
 * hold's own id is 'unknown'.
 */
export const FINISH = script(String.raw`
local id = ARGV[7]
local r = redis.call('HMGET', resKey(id), 'pool', 'tokens', 'usd', 'created', 'expires', 'epoch', 'status', 'at', 'ct', 'cu', 'linked', 'of')
if not r[1] or r[12] then return { 'unknown' } end
local p
if r[7] == 'active' then
  p = current(r[1])
  if tonumber(r[5]) <= NOW then -- current() expired this very reservation
    local s = redis.call('HMGET', resKey(id), 'status', 'at')
    r[7], r[8] = s[1], s[2]
  end
end
local res = { r[1], r[2], r[3], r[4], r[5], r[6], r[11] or '' }
if r[7] ~= 'active' then return { r[7], res, r[8], r[9] or '', r[10] or '' } end
if not p then return redis.error_reply('budget store: reservation ' .. id .. ' belongs to missing pool ' .. r[1]) end
local commit = ARGV[8] == 'committed'
finish(id, r[1], ARGV[8], NOW)
if tonumber(r[6]) == p.epoch then unhold(p, tonumber(r[2]), tonumber(r[3])) end
if commit then
  p.used_t, p.used_u = p.used_t + tonumber(ARGV[9]), p.used_u + tonumber(ARGV[10])
  redis.call('HSET', resKey(id), 'ct', ARGV[9], 'cu', ARGV[10])
  if ARGV[11] ~= '' then appendUsage(r[1], ARGV[12], '{"pool":' .. cjson.encode(r[1]) .. ',' .. ARGV[11]) end
end
savePool(p)
for name in string.gmatch(r[11] or '', '[^,]+') do
  local lp = current(name)
  if lp then
    local lid = linkedId(id, name)
    local h = redis.call('HMGET', resKey(lid), 'tokens', 'usd', 'epoch', 'status')
    if h[4] == 'active' then
      finish(lid, name, ARGV[8], NOW)
      if tonumber(h[3]) == lp.epoch then unhold(lp, tonumber(h[1]), tonumber(h[2])) end
    end
    if commit then lp.used_t, lp.used_u = lp.used_t + tonumber(ARGV[9]), lp.used_u + tonumber(ARGV[10]) end
    savePool(lp)
  end
end
return { 'done', res, flat(p) }
`);

/**
 * Charges without a reservation, idempotent by id (remembered for RETENTION ms). From ARGV[7],
 * 7 per entry: id, pool or '', tokens, usd, record time, record JSON, linked pools ('a,b' or '')
 * → one outcome per entry: 'charged' | 'recorded' (no such pool: the record alone) | 'duplicate'
 * (id seen: nothing done). Linked pools that exist are charged the same amount.
 */
export const CHARGE = script(String.raw`
local out = {}
for i = 7, #ARGV, 7 do
  local id, name = ARGV[i], ARGV[i + 1]
  local t, u = tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])
  if not redis.call('SET', P .. 'charge:' .. id, '1', 'PX', S(RETENTION), 'NX') then
    out[#out + 1] = 'duplicate'
  else
    appendUsage(name, ARGV[i + 4], ARGV[i + 5])
    for linked in string.gmatch(ARGV[i + 6], '[^,]+') do
      local lp = current(linked)
      if lp then
        lp.used_t, lp.used_u = lp.used_t + t, lp.used_u + u
        savePool(lp)
      end
    end
    local p = name ~= '' and current(name) or nil
    if p then
      p.used_t, p.used_u = p.used_t + t, p.used_u + u
      savePool(p)
      out[#out + 1] = 'charged'
    else
      out[#out + 1] = 'recorded'
    end
  end
end
return out
`);

/** → how many holds expired (finished reservations are forgotten by Redis itself: PEXPIRE in finish()). */
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
return expired
`);

/** ARGV[7] pool or '' (all), [8] min score, [9] max score → members. */
export const QUERY_USAGE = script(String.raw`
local pools = ARGV[7] ~= '' and { ARGV[7] } or redis.call('SMEMBERS', P .. 'usage-pools')
local out = {}
for _, pool in ipairs(pools) do
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', P .. 'usage:' .. pool, ARGV[8], ARGV[9])) do out[#out + 1] = m end
end
return out
`);
