/**
 * The Lua every budget script starts with: the key layout, the pool record, and
 * the same rules as core/budget/balance.ts (expire due holds, roll over, fit),
 * so each script can check and update a balance atomically inside Redis.
 *
 * Every script takes ARGV[1..6] = key prefix, now (ms), the starts (ms) of
 * the hourly, daily and monthly periods containing now, and how long finished
 * reservations and charge ids are remembered (ms). The calendar math stays
 * in TypeScript (core/budget/period.ts); Lua only compares: a stored balance
 * rolls over when its kind's start at now is later than its own start.
 *
 * Keys (P = prefix): P.."pools" set of pool names; P.."pool:"..name hash;
 * P.."due:"..name zset of active reservation ids scored by expires_at;
 * P.."res:"..id hash (a finished one expires after the retention: PEXPIRE);
 * P.."usage:"..pool zset of usage records scored by time; P.."usage-pools" set;
 * P.."usage-seq" counter; P.."charge:"..id marks a charge id seen (PX: Redis forgets it). Numbers are stored as decimal strings and are exact
 * in Lua's doubles up to 2^53 (the ledger's bound).
 */
export const LUA_LIB = String.raw`
local P = ARGV[1]
local NOW = tonumber(ARGV[2])
local STARTS = { hourly = tonumber(ARGV[3]), daily = tonumber(ARGV[4]), monthly = tonumber(ARGV[5]) }
local RETENTION = tonumber(ARGV[6])
local POOLS = P .. 'pools'

local function S(n) return string.format('%.0f', n) end
local function poolKey(name) return P .. 'pool:' .. name end
local function dueKey(name) return P .. 'due:' .. name end
local function resKey(id) return P .. 'res:' .. id end
-- store/budget-store.ts linkedId(): a reservation's hold in a linked pool.
local function linkedId(id, pool) return id .. '@' .. pool end

local function loadPool(name)
  local v = redis.call('HMGET', poolKey(name), 'period', 'start', 'epoch', 'used_t', 'res_t', 'used_u', 'res_u', 'cap_t', 'cap_u')
  if not v[1] then return nil end
  return { name = name, period = v[1], start = tonumber(v[2]), epoch = tonumber(v[3]),
    used_t = tonumber(v[4]), res_t = tonumber(v[5]), used_u = tonumber(v[6]), res_u = tonumber(v[7]),
    cap_t = v[8] and tonumber(v[8]) or nil, cap_u = v[9] and tonumber(v[9]) or nil }
end

local function savePool(p)
  redis.call('HSET', poolKey(p.name), 'start', S(p.start), 'epoch', S(p.epoch),
    'used_t', S(p.used_t), 'res_t', S(p.res_t), 'used_u', S(p.used_u), 'res_u', S(p.res_u))
end

local function saveLimits(p)
  local k = poolKey(p.name)
  redis.call('HSET', k, 'period', p.period)
  if p.cap_t then redis.call('HSET', k, 'cap_t', S(p.cap_t)) else redis.call('HDEL', k, 'cap_t') end
  if p.cap_u then redis.call('HSET', k, 'cap_u', S(p.cap_u)) else redis.call('HDEL', k, 'cap_u') end
end

-- The reply shape of a pool (codec.ts parses it); '' is an unset capacity.
local function flat(p)
  return { p.name, p.period, S(p.start), S(p.epoch), S(p.used_t), S(p.res_t), S(p.used_u), S(p.res_u),
    p.cap_t and S(p.cap_t) or '', p.cap_u and S(p.cap_u) or '' }
end

local function unhold(p, t, u)
  p.res_t = math.max(0, p.res_t - t)
  p.res_u = math.max(0, p.res_u - u)
end

-- Takes a reservation out of the active set and remembers how it ended, for RETENTION ms.
local function finish(id, pool, status, at)
  redis.call('HSET', resKey(id), 'status', status, 'at', S(at))
  redis.call('ZREM', dueKey(pool), id)
  redis.call('PEXPIRE', resKey(id), S(RETENTION))
end

-- Expires the pool's holds with expires_at <= NOW; a hold returns only within its epoch.
local function expireDue(p)
  local due = redis.call('ZRANGEBYSCORE', dueKey(p.name), '-inf', S(NOW))
  for _, id in ipairs(due) do
    local r = redis.call('HMGET', resKey(id), 'tokens', 'usd', 'epoch', 'expires')
    if r[1] then
      if tonumber(r[3]) == p.epoch then unhold(p, tonumber(r[1]), tonumber(r[2])) end
      finish(id, p.name, 'expired', tonumber(r[4]))
    else
      redis.call('ZREM', dueKey(p.name), id)
    end
  end
  return #due
end

-- A later period began: fresh balance, next epoch. Only moves forward.
local function rollOver(p)
  local s = STARTS[p.period]
  if s and s > p.start then
    p.start, p.epoch = s, p.epoch + 1
    p.used_t, p.res_t, p.used_u, p.res_u = 0, 0, 0, 0
    return true
  end
  return false
end

-- The pool at NOW (due holds dropped, rolled over, saved if changed), or nil.
local function current(name)
  local p = loadPool(name)
  if not p then return nil end
  local expired = expireDue(p)
  if rollOver(p) or expired > 0 then savePool(p) end
  return p
end

-- Appends a usage record (JSON) to its pool's zset: a 16-digit sequence, then the JSON (insertion order within a ms).
local function appendUsage(pool, time, json)
  local seq = redis.call('INCR', P .. 'usage-seq')
  redis.call('ZADD', P .. 'usage:' .. pool, time, string.format('%016d', seq) .. json)
  redis.call('SADD', P .. 'usage-pools', pool)
end

-- flat(p) followed by the pool's active holds: how many, and the last expiry ('' when none).
local function withHolds(p)
  local out = flat(p)
  local due = dueKey(p.name)
  out[#out + 1] = S(redis.call('ZCARD', due))
  local last = redis.call('ZRANGE', due, -1, -1, 'WITHSCORES')
  out[#out + 1] = last[2] or ''
  return out
end

-- balance.ts fits(): an exhausted limited dimension rejects even a zero amount.
local function fits(cap, used, reserved, need)
  if not cap then return true end
  local left = math.max(0, cap - used - reserved)
  return need <= left and left > 0
end
`;
