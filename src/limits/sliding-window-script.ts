/**
 * One atomic check of several sliding windows (KEYS, in order). Each key is a sorted set of the
 * accepted requests' timestamps (ms), members unique per request.
 *
 * ARGV[1] now in ms, or "" to read Redis's own clock (TIME) so replicas share one clock;
 * ARGV[2] window in ms; ARGV[3] the request's unique member; ARGV[3+i] the limit of KEYS[i].
 *
 * Returns { rejected, count_1, reset_ms_1, count_2, reset_ms_2, … }: rejected is the 1-based index
 * of the first key at its limit, 0 when the request was added to every key.
 */
/**
 * Where one key stands, counting nothing: KEYS[1]; ARGV[1] now (or "" for TIME), ARGV[2] window,
 * ARGV[3] limit. Returns { count, reset_ms } with the same meaning as the check's.
 */
export const PEEK_LUA = `
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local window = tonumber(ARGV[2])
local limit = tonumber(ARGV[3])
local from = '(' .. (now - window)
local count = redis.call('ZCOUNT', KEYS[1], from, '+inf')
local reset = 0
if count > 0 then
  local at = count - limit
  if at < 0 then at = 0 end
  local entry = redis.call('ZRANGEBYSCORE', KEYS[1], from, '+inf', 'WITHSCORES', 'LIMIT', at, 1)
  reset = tonumber(entry[2]) + window - now
  if reset < 0 then reset = 0 end
end
return { count, reset }
`;

export const SLIDING_WINDOW_LUA = `
local now = tonumber(ARGV[1])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local window = tonumber(ARGV[2])
local member = ARGV[3]
local counts = {}
local rejected = 0
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  counts[i] = redis.call('ZCARD', key)
  if rejected == 0 and counts[i] >= tonumber(ARGV[3 + i]) then rejected = i end
end
local out = { rejected }
for i, key in ipairs(KEYS) do
  if rejected == 0 then
    redis.call('ZADD', key, now, member)
    counts[i] = counts[i] + 1
  end
  local reset = 0
  if counts[i] > 0 then
    -- the slot that frees next: the entry whose leaving brings the count below the limit
    local at = counts[i] - tonumber(ARGV[3 + i])
    if at < 0 then at = 0 end
    local entry = redis.call('ZRANGE', key, at, at, 'WITHSCORES')
    reset = tonumber(entry[2]) + window - now
    if reset < 0 then reset = 0 end
    -- every entry is at most "now" old, so the key is useless one window after this touch
    redis.call('PEXPIRE', key, window)
  end
  table.insert(out, counts[i])
  table.insert(out, reset)
end
return out
`;
