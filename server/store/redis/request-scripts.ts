/**
 * The Lua scripts of the Redis request log (request-log.ts). ARGV[1] is the key prefix P. Layout:
 * P.."req:seq" counter; P.."req:rec" hash member → record JSON; P.."req:all" zset of members
 * scored by time; one zset per filter value with the same members: P.."req:k:"..key id,
 * P.."req:t:"..team, P.."req:m:"..model, P.."req:p:"..provider, and P.."req:err" (failures).
 * A member is the record's sequence number as 16 digits, so members of one millisecond sort in
 * write order.
 */

const LIB = String.raw`
local P = ARGV[1]
local ALL = P .. 'req:all'
local REC = P .. 'req:rec'
local function indexes(r)
  local out = { ALL }
  if r.keyId then out[#out + 1] = P .. 'req:k:' .. r.keyId end
  if r.team then out[#out + 1] = P .. 'req:t:' .. r.team end
  out[#out + 1] = P .. 'req:m:' .. r.model
  if r.provider then out[#out + 1] = P .. 'req:p:' .. r.provider end
  if r.status ~= 'OK' then out[#out + 1] = P .. 'req:err' end
  return out
end
`;

/** ARGV[2..] record JSONs → how many were appended. */
export const APPEND = String.raw`${LIB}
for i = 2, #ARGV do
  local r = cjson.decode(ARGV[i])
  local m = string.format('%016d', redis.call('INCR', P .. 'req:seq'))
  redis.call('HSET', REC, m, ARGV[i])
  for _, idx in ipairs(indexes(r)) do redis.call('ZADD', idx, r.time, m) end
end
return #ARGV - 1
`;

/**
 * ARGV[2] index key (without P), [3] max score ('+inf' or a time, inclusive), [4] min score
 * ('-inf' or a time, inclusive), [5] cursor member ('' for none: skip members of score [3] at or
 * above it), [6] limit, [7] filter JSON, [8] most members to look at
 * → {member, score, json, ...} of up to limit + 1 matches, then {'', member, score} of where the
 * scan stopped when it looked at [8] members first.
 */
export const LIST = String.raw`${LIB}
local idx, max, min, after, limit, cap = P .. ARGV[2], ARGV[3], ARGV[4], ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[8])
local f = cjson.decode(ARGV[7])
local afterTime = after ~= '' and tonumber(max) or nil
local function matches(r)
  if f.keyId and r.keyId ~= f.keyId then return false end
  if f.team and r.team ~= f.team then return false end
  if f.model and r.model ~= f.model then return false end
  if f.provider and r.provider ~= f.provider then return false end
  if f.status == 'error' then return r.status ~= 'OK' end
  return not f.status or r.status == f.status
end
local out, found, scanned, offset = {}, 0, 0, 0
while found <= limit do
  local chunk = redis.call('ZREVRANGEBYSCORE', idx, max, min, 'WITHSCORES', 'LIMIT', offset, 256)
  if #chunk == 0 then return out end
  for i = 1, #chunk, 2 do
    local m, score = chunk[i], chunk[i + 1]
    if not (afterTime and tonumber(score) == afterTime and m >= after) then
      local json = redis.call('HGET', REC, m)
      if json and matches(cjson.decode(json)) then
        out[#out + 1] = m
        out[#out + 1] = score
        out[#out + 1] = json
        found = found + 1
        if found > limit then return out end
      end
    end
    scanned = scanned + 1
    if scanned >= cap then
      out[#out + 1] = ''
      out[#out + 1] = m
      out[#out + 1] = score
      return out
    end
  end
  offset = offset + 256
end
return out
`;

/** ARGV[2] time (ms): drop records before it, [3] most records to keep, [4] batch size → how many were dropped (at most [4]). */
export const PRUNE = String.raw`${LIB}
local batch = tonumber(ARGV[4])
local function drop(members)
  for _, m in ipairs(members) do
    local json = redis.call('HGET', REC, m)
    if json then
      for _, idx in ipairs(indexes(cjson.decode(json))) do redis.call('ZREM', idx, m) end
      redis.call('HDEL', REC, m)
    else
      redis.call('ZREM', ALL, m)
    end
  end
  return #members
end
local gone = drop(redis.call('ZRANGEBYSCORE', ALL, '-inf', '(' .. ARGV[2], 'LIMIT', 0, batch))
local over = redis.call('ZCARD', ALL) - tonumber(ARGV[3])
if over > 0 and gone < batch then gone = gone + drop(redis.call('ZRANGE', ALL, 0, math.min(over, batch - gone) - 1)) end
return gone
`;
