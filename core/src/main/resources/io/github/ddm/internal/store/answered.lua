-- DDM: records that this region answered another region's request for a whole section, keeping the latest
-- request time per asking region (docs/regions.md, "Region data loss and rebuild").
-- KEYS[1] the section's answered-requests hash   ARGV[1] the asking region   ARGV[2] its request time (epoch ms)
-- Returns an empty list.
local t = redis.call('HGET', KEYS[1], ARGV[1])
local known = t and tonumber(t)
if not known or known < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
return {}
