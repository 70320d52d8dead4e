-- ack: removes a sent (or skipped) outbox entry and, when given, records
-- the message that now shows the chat's question. The question expires
-- with the check (or after the fallback ttl without one).
-- KEYS: 1 outbox, 2 outbox chats, 3 question, 4 check.
-- ARGV: 1 chat, 2 seq, 3 turn ('' for no question), 4 message id,
--   5 fallback ttl ms.
-- Returns the chat's next outbox entry (`<seq>|<json>`), or nil.
local head = ARGV[2] .. '|'
local function mine(value)
  return value and string.sub(value, 1, #head) == head
end
local first = redis.call('LINDEX', KEYS[1], 0)
if mine(first) then
  redis.call('LPOP', KEYS[1])
else
  for _, value in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
    if mine(value) then
      redis.call('LREM', KEYS[1], 1, value)
      break
    end
  end
end
if redis.call('LLEN', KEYS[1]) == 0 then
  redis.call('SREM', KEYS[2], ARGV[1])
end
if ARGV[3] ~= '' then
  redis.call('HSET', KEYS[3], 'turn', ARGV[3], 'message_id', ARGV[4])
  local ttl = redis.call('PTTL', KEYS[4])
  if ttl > 0 then
    redis.call('PEXPIRE', KEYS[3], ttl)
  elseif ttl == -1 then
    redis.call('PERSIST', KEYS[3])
  else
    redis.call('PEXPIRE', KEYS[3], ARGV[5])
  end
end
return redis.call('LINDEX', KEYS[1], 0)
