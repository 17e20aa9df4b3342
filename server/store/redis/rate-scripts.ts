/**
 * The Redis rate windows' Lua scripts: each check-and-update is one script,
 * so Redis runs it atomically against every replica's calls. Key names come
 * in ARGV (like the budget store's scripts: Redis must be standalone).
 * Time: ARGV now in ms, or '' for Redis's own clock (TIME), so replicas with
 * skewed clocks still share one window. Keys expire a little after the
 * window, so idle subjects leave nothing behind.
 */

const CLOCK = String.raw`
local function clock(arg)
  if arg ~= '' then return tonumber(arg) end
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
`;

/**
 * ARGV[1] request log (sorted set), [2] token buckets (hash second → tokens),
 * [3] now or '', [4] rpm or '', [5] tpm or '', [6] unique member, [7] window ms
 * → {'ok'} | {'rpm', wait ms} | {'tpm', wait ms}.
 */
export const TAKE = String.raw`${CLOCK}
local reqs, toks = ARGV[1], ARGV[2]
local now = clock(ARGV[3])
local rpm, tpm, win = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[7])
if rpm then
  redis.call('ZREMRANGEBYSCORE', reqs, '-inf', string.format('%d', now - win))
  local n = redis.call('ZCARD', reqs)
  if n >= rpm then
    -- the request that must leave for one more to fit (more than one if rpm was lowered)
    local blocker = redis.call('ZRANGE', reqs, n - rpm, n - rpm, 'WITHSCORES')
    return { 'rpm', tonumber(blocker[2]) + win - now }
  end
end
if tpm then
  local flat = redis.call('HGETALL', toks)
  local seconds, count, sum = {}, {}, 0
  for i = 1, #flat, 2 do
    local s, n = tonumber(flat[i]), tonumber(flat[i + 1])
    if (s + 1) * 1000 + win <= now then
      redis.call('HDEL', toks, flat[i])
    else
      seconds[#seconds + 1] = s
      count[s] = n
      sum = sum + n
    end
  end
  if sum >= tpm then
    table.sort(seconds)
    for _, s in ipairs(seconds) do
      sum = sum - count[s]
      if sum < tpm then return { 'tpm', (s + 1) * 1000 + win - now } end
    end
  end
end
if rpm then
  redis.call('ZADD', reqs, string.format('%d', now), ARGV[6])
  redis.call('PEXPIRE', reqs, win + 1000)
end
return { 'ok' }
`;

/** ARGV[1] token buckets, [2] now or '', [3] tokens, [4] window ms → 1. */
export const ADD_TOKENS = String.raw`${CLOCK}
local now = clock(ARGV[2])
redis.call('HINCRBY', ARGV[1], string.format('%d', math.floor(now / 1000)), ARGV[3])
redis.call('PEXPIRE', ARGV[1], tonumber(ARGV[4]) + 2000)
return 1
`;
