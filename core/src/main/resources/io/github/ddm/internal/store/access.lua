-- DDM access check, run once when a manager starts: may the connected user run every command DDM
-- runs on this section? Reads and writes nothing. See docs/operations.md, "Secure connections".
-- The names travel as arguments, not keys, so that the check itself needs no key permission.
--
-- ARGV[1] a document hash of the section   ARGV[2] section log   ARGV[3] section epoch
-- ARGV[4] section channel   ARGV[5] PUBLISH or SPUBLISH   ARGV[6] SUBSCRIBE or SSUBSCRIBE
-- ARGV[7] the SHA-1 of a DDM script
--
-- Returns what the user may not run, as 'COMMAND name' strings; empty when everything is allowed,
-- and empty on servers older than Redis 7, which cannot answer the question (redis.acl_check_cmd).
if not redis.acl_check_cmd then
  return {}
end
local doc, log, epoch, channel, sha = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[7]
-- {what to report, command, arguments...}
local checks = {
  {'EVALSHA ' .. doc, 'EVALSHA', sha, '4', doc, log, epoch, channel},
  {'EVALSHA_RO ' .. doc, 'EVALSHA_RO', sha, '2', doc, epoch},
  {'SCRIPT LOAD', 'SCRIPT', 'LOAD', 'return 1'},
  {'HGETALL ' .. doc, 'HGETALL', doc}, {'HMGET ' .. doc, 'HMGET', doc, 'f'}, {'HGET ' .. doc, 'HGET', doc, 'f'},
  {'HKEYS ' .. doc, 'HKEYS', doc}, {'HSET ' .. doc, 'HSET', doc, 'f', 'v'}, {'HDEL ' .. doc, 'HDEL', doc, 'f'},
  {'XADD ' .. log, 'XADD', log, '*', 'e', 'v'}, {'XRANGE ' .. log, 'XRANGE', log, '-', '+'},
  {'XREVRANGE ' .. log, 'XREVRANGE', log, '+', '-'},
  {'GET ' .. epoch, 'GET', epoch}, {'SET ' .. epoch, 'SET', epoch, 'v'},
  {ARGV[5] .. ' ' .. channel, ARGV[5], channel, 'v'}, {ARGV[6] .. ' ' .. channel, ARGV[6], channel},
  {'SCAN', 'SCAN', '0'},
}
local denied = {}
for _, check in ipairs(checks) do
  if not redis.acl_check_cmd(unpack(check, 2)) then
    denied[#denied + 1] = check[1]
  end
end
return denied
