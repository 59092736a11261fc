/**
 * Appends a batch of events to their streams in one call (one command and one reply, however many
 * events), atomically, as a MULTI of XADDs would.
 *
 * KEYS: the streams, each once. ARGV[1] MAXLEN (~), ARGV[2] n, the number of events; then five
 * fields per event: the 1-based index of its key in KEYS, its id (`0-<seq>`), name, data and "1"
 * for a terminal event ("0" otherwise); then one TTL (ms) per key, in KEYS' order.
 *
 * Returns one string per event: "" when appended, else Redis's error (e.g. an id not after the
 * stream's last). Each key's TTL is set after its events.
 */
export const APPEND_EVENTS_LUA = `
local max = ARGV[1]
local n = tonumber(ARGV[2])
local out = {}
for j = 0, n - 1 do
  local o = 3 + j * 5
  local key = KEYS[tonumber(ARGV[o])]
  local r
  if ARGV[o + 4] == '1' then
    r = redis.pcall('XADD', key, 'MAXLEN', '~', max, ARGV[o + 1], 'e', ARGV[o + 2], 'd', ARGV[o + 3], 't', '1')
  else
    r = redis.pcall('XADD', key, 'MAXLEN', '~', max, ARGV[o + 1], 'e', ARGV[o + 2], 'd', ARGV[o + 3])
  end
  if type(r) == 'table' and r.err then out[j + 1] = r.err else out[j + 1] = '' end
end
local t = 3 + n * 5
for i = 1, #KEYS do
  redis.call('PEXPIRE', KEYS[i], ARGV[t + i - 1])
end
return out
`;
