-- DDM projection script: a few top-level members of a document, with its metadata and epoch.
-- KEYS[1] document hash   KEYS[2] section epoch   ARGV: member names
-- Returns {epoch or false, version, time, origin, deleted, member values...} (false for a missing member).
local meta = redis.call('HMGET', KEYS[1], '\000v', '\000t', '\000o', '\000x')
local reply = {redis.call('GET', KEYS[2]), meta[1], meta[2], meta[3], meta[4]}
-- In chunks: Lua's unpack takes at most a few thousand values.
for j = 1, #ARGV, 500 do
  local values = redis.call('HMGET', KEYS[1], unpack(ARGV, j, math.min(j + 499, #ARGV)))
  for i = 1, #values do
    reply[#reply + 1] = values[i]
  end
end
return reply
