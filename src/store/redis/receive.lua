-- receive: writes new inbox entries, skipping keys remembered already
-- (add_entry in inbox_lib.lua).
-- KEYS: 1 seq counter, 2 inbox index (inbox_chats), then per entry its
--   seen key and its chat's inbox key.
-- ARGV: 1 remember ms, then per entry chat, not_before, event json.
-- Returns the distinct chats that got entries.
local chats, listed = {}, {}
for i = 1, (#KEYS - 2) / 2 do
  local chat = ARGV[3 * i - 1]
  local added = add_entry(KEYS[1], KEYS[2], KEYS[2 * i + 1], KEYS[2 * i + 2],
    chat, ARGV[3 * i], ARGV[3 * i + 1], ARGV[1])
  if added and not listed[chat] then
    listed[chat] = true
    chats[#chats + 1] = chat
  end
end
return chats
