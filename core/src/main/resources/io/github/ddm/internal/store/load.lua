-- DDM load script: a document and its section's epoch, read together.
-- KEYS[1] document hash   KEYS[2] section epoch
-- Returns {epoch or false, HGETALL of the document}.
return {redis.call('GET', KEYS[2]), redis.call('HGETALL', KEYS[1])}
