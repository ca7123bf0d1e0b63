-- DDM merge load script: a document with its merge state, the section epoch and this region's lineage,
-- read together, for taking in a change made in another region.
-- KEYS[1] document hash   KEYS[2] section epoch   KEYS[3] the document's merge state   KEYS[4] the section's lineage
-- Returns {epoch or false, HGETALL of the document, HGETALL of the merge state without field 'w' (each origin's
-- last change, which only the commit script reads; up to 16 entries, not sent with every change taken in),
-- lineage or false}.
local state = redis.call('HGETALL', KEYS[3])
for i = 1, #state, 2 do
  if state[i] == 'w' then
    table.remove(state, i)
    table.remove(state, i)
    break
  end
end
return {redis.call('GET', KEYS[2]), redis.call('HGETALL', KEYS[1]), state, redis.call('GET', KEYS[4])}
