-- claim: takes a lease on a chat's lane, or renews it for the same owner.
-- KEYS: 1 lease.
-- ARGV: 1 owner, 2 ttl ms.
-- Returns 1 when `owner` holds the lease now, else 0.
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 1
end
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
return 0
