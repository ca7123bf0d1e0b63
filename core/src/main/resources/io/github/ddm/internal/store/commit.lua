-- DDM commit script: one atomic compare-and-set per change. See docs/core.md, "The commit script",
-- and docs/regions.md for the merge state it keeps.
--
-- KEYS[1] document hash   KEYS[2] section log (stream)   KEYS[3] section epoch   KEYS[4] section channel
-- KEYS[5] the document's merge state (hash)   KEYS[6] this region's lineage of the section
-- ARGV[1] expected version (0: the key was never written)   ARGV[2] the new version, as text
-- ARGV[3] the epoch the writer knows ('' when it knows none)   ARGV[4] a fresh epoch, used only if the section has none
-- ARGV[5] change time (epoch ms)      ARGV[6] origin ('region/node')      ARGV[7] op: c, u or d
-- ARGV[8] event text up to the epoch value   ARGV[9] event text from the time (',"time":' in the contract
--          form) to the end of the origin
-- ARGV[10] event text after that (where the stream id goes first); the text is in the compact Redis form
--          when ARGV[8] starts with '[', else in the contract form
-- ARGV[11] log MAXLEN (0: unbounded)  ARGV[12] PUBLISH or SPUBLISH
-- ARGV[13] mode: 'L' a change made here (the script stamps it); 'A' a change taken in from elsewhere (the
--          caller computed its merge state)
-- ARGV[14] L: this region's name; A: the change's lineage ('' for none)
-- ARGV[15] L: a fresh lineage, used if the section has none here; A: the document's clock after the change (JSON)
-- ARGV[16] n; then n (member, JSON) pairs to write; then m; then m members to delete; then k; then k pairs:
--          L: (member, pointer inside it, '' for the member itself) that the change wrote as a whole;
--          A: (merge state field, value) to set, '' deleting the field; then (A only) '1' to clear every
--          member's stamps first.
--
-- Returns {1, version, epoch, stream id, lineage, clock} when committed, {0, stored version, epoch} on a
-- version mismatch, {2, stored version, epoch} when the writer's epoch is not the section's, and (L only)
-- {3, stored version, epoch, stored time} when the change time is before the document's last change time.
-- A version mismatch adds, when the merge state remembers one, the last change the same origin (ARGV[6])
-- committed to the document: {0, stored version, epoch, its event id, its version, its stream id}. When
-- that event id is the change's own, an earlier delivery of this very call committed it (its reply was
-- lost and the client sent the call again): the caller completes with it and commits nothing again.
-- Versions travel as decimal text, so no Lua number formatting is involved.
local doc, log, epochKey, channel, state, lineageKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]

-- Merge state field 'w': for each origin that committed to the document lately, its last change here,
-- 'origin event-id version stream-id', newest first, comma-separated; an origin once, entries from the
-- last RECENT_MS of log time (by stream id), at most RECENT_MAX of them. A writer commits one change of a
-- key at a time, so its origin's entry names its own commit until its next one.
local RECENT_MS, RECENT_MAX = 300000, 16

local function lastChangeOf(origin)
  local recorded = redis.call('HGET', state, 'w')
  if recorded then
    for entry in string.gmatch(recorded, '[^,]+') do
      local o, eventId, version, id = string.match(entry, '^(%S+) (%S+) (%S+) (%S+)$')
      if o == origin then
        return {eventId, version, id}
      end
    end
  end
  return nil
end

local epoch = redis.call('GET', epochKey)
if not epoch then
  epoch = ARGV[4]
  redis.call('SET', epochKey, epoch)
end
local meta = redis.call('HMGET', doc, '\000v', '\000t')
local stored, storedTime = meta[1] or '0', meta[2]
if ARGV[3] ~= '' and ARGV[3] ~= epoch then
  return {2, stored, epoch}
end
if stored ~= ARGV[1] then
  local last = lastChangeOf(ARGV[6])
  if last then
    return {0, stored, epoch, last[1], last[2], last[3]}
  end
  return {0, stored, epoch}
end
local version = ARGV[2]
local op = ARGV[7]
local mode = ARGV[13]
if mode == 'L' and storedTime and tonumber(storedTime) > tonumber(ARGV[5]) then
  -- A change made here must not carry an earlier time than the changes it has seen.
  return {3, stored, epoch, storedTime}
end

-- The document's content.
local i = 16
local n = tonumber(ARGV[i])
local first, last = i + 1, i + 2 * n
if op == 'd' then
  local fields = redis.call('HKEYS', doc)
  local members = {}
  for _, f in ipairs(fields) do
    if string.byte(f, 1) ~= 0 then
      members[#members + 1] = f
    end
  end
  for j = 1, #members, 500 do
    redis.call('HDEL', doc, unpack(members, j, math.min(j + 499, #members)))
  end
  redis.call('HSET', doc, '\000x', '1')
else
  for j = first, last, 1000 do
    redis.call('HSET', doc, unpack(ARGV, j, math.min(j + 999, last)))
  end
  if op == 'c' then
    redis.call('HDEL', doc, '\000x')
  end
end
i = last + 1
local m = tonumber(ARGV[i])
if op ~= 'd' and m > 0 then
  for j = i + 1, i + m, 500 do
    redis.call('HDEL', doc, unpack(ARGV, j, math.min(j + 499, i + m)))
  end
end
i = i + m + 1
local k = tonumber(ARGV[i])
local pairsFrom = i + 1

local time = ARGV[5]
if storedTime and tonumber(storedTime) > tonumber(time) then
  time = storedTime
end
redis.call('HSET', doc, '\000v', version, '\000t', time, '\000o', ARGV[6])

-- Byte order, as Java's for these ASCII names: Lua's own string order follows the server's locale.
local function before(a, b)
  for j = 1, math.min(#a, #b) do
    local x, y = string.byte(a, j), string.byte(b, j)
    if x ~= y then
      return x < y
    end
  end
  return #a < #b
end

local function clearMemberStamps()
  local fields = redis.call('HKEYS', state)
  local stale = {}
  for _, f in ipairs(fields) do
    if string.sub(f, 1, 1) == 'm' then
      stale[#stale + 1] = f
    end
  end
  for j = 1, #stale, 500 do
    redis.call('HDEL', state, unpack(stale, j, math.min(j + 499, #stale)))
  end
end

-- The merge state. A change made here reads what it needs of it in one call and writes it in one call,
-- after the log entry (the remembered last change needs its stream id).
local lineage, clock, recorded
local stateWrites = {}
if mode == 'L' then
  lineage = redis.call('GET', lineageKey)
  if not lineage then
    lineage = ARGV[15]
    redis.call('SET', lineageKey, lineage)
  end
  local reads = {'v', 'w'}
  if op == 'u' then
    for j = pairsFrom, pairsFrom + 2 * k - 1, 2 do
      reads[#reads + 1] = 'm' .. ARGV[j]
    end
  end
  -- In chunks: Lua's unpack takes at most a few thousand values (a change may touch that many members).
  local got = {}
  for j = 1, #reads, 500 do
    local part = redis.call('HMGET', state, unpack(reads, j, math.min(j + 499, #reads)))
    for r = 1, #part do
      got[j + r - 1] = part[r]
    end
  end
  local clockText = got[1]
  recorded = got[2]
  local replica = ARGV[14] .. '~' .. lineage
  local counts = {}
  if clockText then
    for name, count in string.gmatch(clockText, '"([^"]+)":(%d+)') do
      counts[name] = tonumber(count)
    end
  elseif stored ~= '0' then
    -- A document written before regions support: its history counts under one replica name that is
    -- the same in every region (docs/regions.md, "Documents from before regions support").
    counts['_legacy~0'] = tonumber(stored)
  end
  local counter = (counts[replica] or 0) + 1
  counts[replica] = counter
  local names = {}
  for name in pairs(counts) do
    names[#names + 1] = name
  end
  table.sort(names, before)
  local parts = {}
  for j, name in ipairs(names) do
    parts[j] = '"' .. name .. '":' .. string.format('%.0f', counts[name])
  end
  clock = '{' .. table.concat(parts, ',') .. '}'
  stateWrites[#stateWrites + 1] = 'v'
  stateWrites[#stateWrites + 1] = clock
  local stamp = ARGV[5] .. '.' .. version .. '.' .. string.format('%.0f', counter) .. '.' .. replica
  if op ~= 'u' then
    clearMemberStamps()
    stateWrites[#stateWrites + 1] = 'r'
    stateWrites[#stateWrites + 1] = stamp
  else
    -- Each member field's value as read, then as written so far (a change may write a member twice).
    local values, touched = {}, {}
    for r = 3, #reads do
      values[reads[r]] = got[r]
    end
    for j = pairsFrom, pairsFrom + 2 * k - 1, 2 do
      local field = 'm' .. ARGV[j]
      local inner = ARGV[j + 1]
      if inner == '' then
        values[field] = stamp
      else
        local current = values[field]
        local stamps = {}
        if current then
          if string.sub(current, 1, 1) == '{' then
            stamps = cjson.decode(current)
          else
            stamps[''] = current
          end
        end
        local prefix = inner .. '/'
        for path in pairs(stamps) do
          if path == inner or string.sub(path, 1, #prefix) == prefix then
            stamps[path] = nil
          end
        end
        stamps[inner] = stamp
        -- No order is kept among the pointers: readers parse the object, and only the clock is compared across
        -- regions (sorting here in byte order, which Lua's locale-aware '<' is not, took ~200 us per change).
        values[field] = cjson.encode(stamps)
      end
      if not touched[field] then
        touched[field] = true
        stateWrites[#stateWrites + 1] = field
        stateWrites[#stateWrites + 1] = false
      end
    end
    for w = 1, #stateWrites, 2 do
      if touched[stateWrites[w]] then
        stateWrites[w + 1] = values[stateWrites[w]]
      end
    end
  end
else
  lineage = ARGV[14]
  clock = ARGV[15]
  if ARGV[pairsFrom + 2 * k] == '1' then
    clearMemberStamps()
  end
  -- Fields to delete go in one call now; fields to set join the one write after the log entry.
  local deletes = {}
  for j = pairsFrom, pairsFrom + 2 * k - 1, 2 do
    if ARGV[j + 1] == '' then
      deletes[#deletes + 1] = ARGV[j]
    else
      stateWrites[#stateWrites + 1] = ARGV[j]
      stateWrites[#stateWrites + 1] = ARGV[j + 1]
    end
  end
  for j = 1, #deletes, 500 do
    redis.call('HDEL', state, unpack(deletes, j, math.min(j + 499, #deletes)))
  end
  recorded = redis.call('HGET', state, 'w')
end

-- The event's text, in the form of the template (docs/schema.md, "The compact Redis form"): compact when it
-- starts with '[', else the contract form. Between head and middle go the epoch, the lineage and the clock;
-- before the tail, the stream id: on the channel, and as 0 in the compact form's log entry. The compact form
-- writes a clock of only the origin's replica, which made every version, as 0.
local compact = string.byte(ARGV[8], 1) == 91
local head, logged, idOpen
if compact then
  local clockSlot = clock
  if lineage == '' then
    head = ARGV[8] .. epoch .. '",null,' .. clockSlot .. ARGV[9]
  else
    local region = string.match(ARGV[6], '^([^/]+)/')
    if clock == '{"' .. region .. '~' .. lineage .. '":' .. version .. '}' then
      clockSlot = '0'
    end
    head = ARGV[8] .. epoch .. '","' .. lineage .. '",' .. clockSlot .. ARGV[9]
  end
  logged = head .. ',0' .. ARGV[10]
  idOpen = ',"'
else
  if lineage == '' then
    head = ARGV[8] .. epoch .. '","clock":' .. clock .. ARGV[9]
  else
    head = ARGV[8] .. epoch .. '","lineage":"' .. lineage .. '","clock":' .. clock .. ARGV[9]
  end
  logged = head .. ARGV[10]
  idOpen = ',"streamId":"'
end
local id
if ARGV[11] == '0' then
  id = redis.call('XADD', log, '*', 'e', logged)
else
  id = redis.call('XADD', log, 'MAXLEN', '~', ARGV[11], '*', 'e', logged)
end
redis.call(ARGV[12], channel, head .. idOpen .. id .. '"' .. ARGV[10])

-- This change is now its origin's last here (see 'w' above). Both forms write the event id first.
local eventIdAt = '^{"schema":%d+,"eventId":"([^"]+)"'
if compact then
  eventIdAt = '^%[%d+,"([^"]+)"'
end
local eventId = string.match(ARGV[8], eventIdAt)
if eventId then
  local now = tonumber(string.match(id, '^%d+'))
  local kept = {ARGV[6] .. ' ' .. eventId .. ' ' .. version .. ' ' .. id}
  if recorded then
    for entry in string.gmatch(recorded, '[^,]+') do
      local o, at = string.match(entry, '^(%S+) %S+ %S+ (%d+)')
      if #kept >= RECENT_MAX or not at or tonumber(at) < now - RECENT_MS then
        break
      end
      if o ~= ARGV[6] then
        kept[#kept + 1] = entry
      end
    end
  end
  stateWrites[#stateWrites + 1] = 'w'
  stateWrites[#stateWrites + 1] = table.concat(kept, ',')
end
for j = 1, #stateWrites, 1000 do
  redis.call('HSET', state, unpack(stateWrites, j, math.min(j + 999, #stateWrites)))
end
return {1, version, epoch, id, lineage, clock}
