-- DDM merge load script: a document with its merge state, the section epoch and this region's lineage,
-- read together, for taking in a change made in another region.
-- KEYS[1] document hash   KEYS[2] section epoch   KEYS[3] the document's merge state   KEYS[4] the section's lineage
-- Returns {epoch or false, HGETALL of the document, HGETALL of the merge state, lineage or false}.
return {redis.call('GET', KEYS[2]), redis.call('HGETALL', KEYS[1]), redis.call('HGETALL', KEYS[3]), redis.call('GET', KEYS[4])}
