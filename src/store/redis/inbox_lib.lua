-- Functions shared by the scripts that touch the inbox (receive.lua,
-- discard.lua, commit.lua): prepended to each of them, so it has no KEYS or
-- ARGV of its own; its functions take theirs as arguments.

-- Writes one inbox entry unless its key is remembered; true when written.
local function add_entry(seq_key, index_key, seen_key, inbox_key, chat, not_before, event, remember_ms)
  if not redis.call('SET', seen_key, '1', 'NX', 'PX', remember_ms) then
    return false
  end
  local seq = redis.call('INCR', seq_key)
  redis.call('HSET', inbox_key, string.format('%d', seq), not_before .. '|' .. event)
  redis.call('ZADD', index_key, 'LT', not_before, chat)
  return true
end

-- Scores the chat in the index by its earliest entry, or removes it.
local function reindex(inbox_key, index_key, chat)
  local earliest, shown = nil, nil
  for _, value in ipairs(redis.call('HVALS', inbox_key)) do
    local at = string.match(value, '^(%d+)|')
    local n = tonumber(at)
    if n ~= nil and (earliest == nil or n < earliest) then
      earliest, shown = n, at
    end
  end
  if shown == nil then
    redis.call('ZREM', index_key, chat)
  else
    redis.call('ZADD', index_key, shown, chat)
  end
end
