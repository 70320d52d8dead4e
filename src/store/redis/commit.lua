-- commit: applies one handled inbox entry atomically: the check
-- (compare-and-set on its rev), group settings, the outbox, new timed
-- entries, the diary, and the removal of the entry.
-- KEYS: 1 inbox, 2 inbox index, 3 check, 4 question, 5 seq counter,
--   6 outbox, 7 outbox chats, 8 group, 9 groups, 10 group moved to,
--   11 diary, then per scheduled entry its seen key and inbox key.
-- ARGV: 1 chat, 2 seq, 3 check op (keep/save/delete), 4 expected rev,
--   5 record, 6 ttl ms, 7 group op ('', save, delete, move), 8 group json
--   (the default settings for a move), 9 moved-to chat, 10 remember ms,
--   11 number of replies n, 12..11+n replies, then per scheduled entry
--   chat, not_before, event; then the diary op ('', save, delete), its json
--   and its retention in ms; last, 'clear' or 'keep' (the outbox).
-- Returns 'done', 'conflict' or 'handled'; nothing is written unless 'done'.
local chat = ARGV[1]
if redis.call('HEXISTS', KEYS[1], ARGV[2]) == 0 then
  return 'handled'
end
local check = ARGV[3]
if check == 'save' then
  local stored = redis.call('HGET', KEYS[3], 'rev')
  local current = 0
  if stored then
    current = tonumber(stored)
  end
  local expected = tonumber(ARGV[4])
  if current ~= expected then
    return 'conflict'
  end
  redis.call('HSET', KEYS[3], 'rev', string.format('%d', expected + 1), 'data', ARGV[5])
  redis.call('PEXPIRE', KEYS[3], ARGV[6])
  redis.call('PEXPIRE', KEYS[4], ARGV[6])
elseif check == 'delete' then
  redis.call('DEL', KEYS[3], KEYS[4])
  -- Timed entries (a follow-up still to come) go with the check.
  local all = redis.call('HGETALL', KEYS[1])
  for i = 1, #all, 2 do
    local not_before = tonumber(string.match(all[i + 1], '^(%d+)|'))
    if all[i] ~= ARGV[2] and not_before and not_before > 0 then
      redis.call('HDEL', KEYS[1], all[i])
    end
  end
end
redis.call('HDEL', KEYS[1], ARGV[2])
reindex(KEYS[1], KEYS[2], chat)
local group = ARGV[7]
if group == 'save' then
  redis.call('SET', KEYS[8], ARGV[8])
  -- Only groups are swept for tips; a person's settings (a language) are not.
  if tonumber(chat) < 0 then
    redis.call('SADD', KEYS[9], chat)
  end
elseif group == 'delete' then
  redis.call('DEL', KEYS[8])
  redis.call('SREM', KEYS[9], chat)
elseif group == 'move' then
  local settings = redis.call('GET', KEYS[8]) or ARGV[8]
  redis.call('DEL', KEYS[8])
  redis.call('SREM', KEYS[9], chat)
  redis.call('SET', KEYS[10], settings)
  redis.call('SADD', KEYS[9], ARGV[9])
end
local diary = ARGV[#ARGV - 3]
if diary == 'save' then
  redis.call('SET', KEYS[11], ARGV[#ARGV - 2], 'PX', ARGV[#ARGV - 1])
elseif diary == 'delete' then
  redis.call('DEL', KEYS[11])
end
if ARGV[#ARGV] == 'clear' then
  redis.call('DEL', KEYS[6])
  redis.call('SREM', KEYS[7], chat)
end
local replies = tonumber(ARGV[11])
for i = 1, replies do
  local seq = redis.call('INCR', KEYS[5])
  redis.call('RPUSH', KEYS[6], string.format('%d', seq) .. '|' .. ARGV[11 + i])
end
if replies > 0 then
  redis.call('SADD', KEYS[7], chat)
end
local base = 11 + replies
for i = 1, (#KEYS - 11) / 2 do
  add_entry(KEYS[5], KEYS[2], KEYS[10 + 2 * i], KEYS[11 + 2 * i],
    ARGV[base + 3 * i - 2], ARGV[base + 3 * i - 1], ARGV[base + 3 * i], ARGV[10])
end
return 'done'
