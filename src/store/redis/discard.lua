-- discard: removes one inbox entry without other effects and rescores its
-- chat in the index.
-- KEYS: 1 the chat's inbox, 2 inbox index (inbox_chats).
-- ARGV: 1 chat, 2 seq.
-- Returns 1.
if redis.call('HDEL', KEYS[1], ARGV[2]) == 1 then
  reindex(KEYS[1], KEYS[2], ARGV[1])
end
return 1
