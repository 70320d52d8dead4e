-- reserve_global: takes one slot of the bot-wide message budget, by GCRA
-- on one key holding the theoretical arrival time (µs).
-- KEYS: 1 pace.
-- ARGV: 1 now (µs), 2 emission interval (µs), 3 burst.
-- Returns how many ms to wait before using the slot.
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or '0') or 0
if tat < now then
  tat = now
end
local next_tat = tat + interval
local wait = next_tat - interval * burst - now
if wait < 0 then
  wait = 0
end
redis.call('SET', KEYS[1], string.format('%d', next_tat),
  'PX', string.format('%d', math.ceil((next_tat - now) / 1000) + 1000))
return math.ceil(wait / 1000)
