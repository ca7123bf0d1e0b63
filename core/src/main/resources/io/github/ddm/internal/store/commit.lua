-- DDM commit script: one atomic compare-and-set per change. See docs/core.md, "The commit script".
--
-- KEYS[1] document hash   KEYS[2] section log (stream)   KEYS[3] section epoch   KEYS[4] section channel
-- ARGV[1] expected version (0: the key was never written)   ARGV[2] the new version (expected + 1), as text
-- ARGV[3] the epoch the writer knows ('' when it knows none)
-- ARGV[4] a fresh epoch, used only if the section has none yet
-- ARGV[5] change time (epoch ms)      ARGV[6] origin ('region/node')      ARGV[7] op: c, u or d
-- ARGV[8] event text up to the epoch value   ARGV[9] event text from the epoch value to the stream id
-- ARGV[10] event text after the stream id
-- ARGV[11] log MAXLEN (0: unbounded)  ARGV[12] PUBLISH or SPUBLISH
-- ARGV[13] n = members to write; then n (name, JSON) pairs; then the names of members to delete
--
-- Returns {1, version, epoch, stream id} when committed, {0, stored version, epoch} on a version
-- mismatch, {2, stored version, epoch} when the writer's epoch is not the section's.
-- Versions travel as decimal text, so no Lua number formatting is involved.
local doc, log, epochKey, channel = KEYS[1], KEYS[2], KEYS[3], KEYS[4]

local epoch = redis.call('GET', epochKey)
if not epoch then
  epoch = ARGV[4]
  redis.call('SET', epochKey, epoch)
end
local stored = redis.call('HGET', doc, '\000v') or '0'
if ARGV[3] ~= '' and ARGV[3] ~= epoch then
  return {2, stored, epoch}
end
if stored ~= ARGV[1] then
  return {0, stored, epoch}
end
local version = ARGV[2]
local op = ARGV[7]

if op == 'd' then
  local fields = redis.call('HKEYS', doc)
  local members = {}
  for _, f in ipairs(fields) do
    if string.byte(f, 1) ~= 0 then
      members[#members + 1] = f
    end
  end
  for i = 1, #members, 500 do
    redis.call('HDEL', doc, unpack(members, i, math.min(i + 499, #members)))
  end
  redis.call('HSET', doc, '\000x', '1')
else
  local n = tonumber(ARGV[13])
  local first, last = 14, 13 + 2 * n
  for i = first, last, 1000 do
    redis.call('HSET', doc, unpack(ARGV, i, math.min(i + 999, last)))
  end
  for i = last + 1, #ARGV, 500 do
    redis.call('HDEL', doc, unpack(ARGV, i, math.min(i + 499, #ARGV)))
  end
  if op == 'c' then
    redis.call('HDEL', doc, '\000x')
  end
end
redis.call('HSET', doc, '\000v', version, '\000t', ARGV[5], '\000o', ARGV[6])

local head = ARGV[8] .. epoch .. ARGV[9]
local id
if ARGV[11] == '0' then
  id = redis.call('XADD', log, '*', 'e', head .. ARGV[10])
else
  id = redis.call('XADD', log, 'MAXLEN', '~', ARGV[11], '*', 'e', head .. ARGV[10])
end
redis.call(ARGV[12], channel, head .. ',"streamId":"' .. id .. '"' .. ARGV[10])
return {1, version, epoch, id}
