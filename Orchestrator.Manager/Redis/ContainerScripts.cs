namespace Orchestrator.Manager.Redis;

// Each write is one Lua script: one round trip, and atomic against concurrent registrations,
// heartbeats, deletes and liveness sweeps from any replica.
internal static class ContainerScripts
{
    // Moves one container's weight between the status buckets of the totals hash (see RedisKeys).
    internal const string Totals = """
        local function bucket(totals, status, count, max, active)
          if not status then return end
          if count ~= 0 then redis.call('HINCRBY', totals, 'count:' .. status, count) end
          if max ~= 0 then redis.call('HINCRBY', totals, 'max:' .. status, max) end
          if active ~= 0 then redis.call('HINCRBY', totals, 'active:' .. status, active) end
        end
        local function weight(key)
          local v = redis.call('HMGET', key, 'status', 'max_agents', 'active_agents')
          return v[1], tonumber(v[2]) or 0, tonumber(v[3]) or 0
        end

        """;

    // KEYS: names, ids, heartbeat index, totals. ARGV: prefix, name, candidate id, now ms, host, port,
    // capabilities, resources, metadata, max_agents, required id and credential version ('' = any: admin and
    // shared-password tokens). Returns { id, 1 if created else 0 }, or { 'revoked' } when an enrolled node's
    // credential no longer matches (revoked, re-enrolled or deleted): such a node never creates a container.
    public const string Register = Totals + """
        local id = redis.call('HGET', KEYS[1], ARGV[2])
        if ARGV[11] ~= '' then
          if id ~= ARGV[11] or redis.call('HGET', ARGV[1] .. id, 'credential_version') ~= ARGV[12] then return { 'revoked' } end
        end
        local created = 0
        if not id then
          id = ARGV[3]
          created = 1
          redis.call('HSET', KEYS[1], ARGV[2], id)
          redis.call('SADD', KEYS[2], id)
        end
        local key = ARGV[1] .. id
        local before, before_max, active = weight(key)
        bucket(KEYS[4], before, -1, -before_max, -active)
        bucket(KEYS[4], 'healthy', 1, tonumber(ARGV[10]), active)
        redis.call('HSET', key, 'id', id, 'name', ARGV[2], 'host', ARGV[5], 'port', ARGV[6],
          'capabilities', ARGV[7], 'resources', ARGV[8], 'metadata', ARGV[9], 'max_agents', ARGV[10],
          'status', 'healthy', 'last_heartbeat', ARGV[4])
        if created == 0 then redis.call('HINCRBY', key, 'reconnects', 1) end
        if created == 1 then
          redis.call('HSET', key, 'registered_at', ARGV[4], 'health_score', '100', 'active_agents', '0',
            'assigned_agents', '0', 'generation', '0')
        end
        redis.call('ZADD', KEYS[3], ARGV[4], id)
        return { id, created }
        """;

    // KEYS: container, heartbeat index, totals. ARGV: id, now ms, health_score, active_agents, usage, agents
    // ('' = not sent), required name ('' = any), round trip ms ('' = not sent), failures (-1 = not sent),
    // required credential version ('' = any). Returns the status before, or 'missing' / 'forbidden' / 'revoked'.
    public const string Heartbeat = Totals + """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 'missing' end
        if ARGV[7] ~= '' and redis.call('HGET', KEYS[1], 'name') ~= ARGV[7] then return 'forbidden' end
        if ARGV[10] ~= '' and redis.call('HGET', KEYS[1], 'credential_version') ~= ARGV[10] then return 'revoked' end
        local before, max, active = weight(KEYS[1])
        local now_active = tonumber(ARGV[4])
        if before == 'healthy' then
          bucket(KEYS[3], 'healthy', 0, 0, now_active - active)
        else
          bucket(KEYS[3], before, -1, -max, -active)
          bucket(KEYS[3], 'healthy', 1, max, now_active)
        end
        redis.call('HSET', KEYS[1], 'last_heartbeat', ARGV[2], 'health_score', ARGV[3],
          'active_agents', ARGV[4], 'usage', ARGV[5], 'status', 'healthy')
        if ARGV[6] ~= '' then redis.call('HSET', KEYS[1], 'reported_agents', ARGV[6]) end
        redis.call('HINCRBY', KEYS[1], 'heartbeats', 1)
        if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], 'round_trip_ms', ARGV[8]) end
        if tonumber(ARGV[9]) >= 0 then redis.call('HSET', KEYS[1], 'failures', ARGV[9]) end
        redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
        return before
        """;

    // KEYS: container, names, ids, heartbeat index, totals. ARGV: id. Returns 1 if it existed.
    public const string Delete = Totals + """
        local name = redis.call('HGET', KEYS[1], 'name')
        if not name then return 0 end
        local before, max, active = weight(KEYS[1])
        bucket(KEYS[5], before, -1, -max, -active)
        if redis.call('HGET', KEYS[2], name) == ARGV[1] then redis.call('HDEL', KEYS[2], name) end
        redis.call('DEL', KEYS[1])
        redis.call('SREM', KEYS[3], ARGV[1])
        redis.call('ZREM', KEYS[4], ARGV[1])
        return 1
        """;

    // KEYS: heartbeat index, totals. ARGV: prefix, now ms, unhealthy-after ms, lost-after ms.
    // Only containers whose last heartbeat is older than the first threshold are read. The status is
    // recomputed from the hash's own last_heartbeat, so a heartbeat that lands first always wins.
    // A container turning lost gets lost_at (now): rescheduling counts from it (only while status is lost).
    // Returns a flat list { id, new status, ... } of the transitions made.
    public const string Sweep = Totals + """
        local now = tonumber(ARGV[2])
        local unhealthy_after = tonumber(ARGV[3])
        local lost_after = tonumber(ARGV[4])
        local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - unhealthy_after))
        local changed = {}
        for _, id in ipairs(stale) do
          local key = ARGV[1] .. id
          local last = tonumber(redis.call('HGET', key, 'last_heartbeat'))
          if not last then
            redis.call('ZREM', KEYS[1], id)
          else
            local age = now - last
            local target = nil
            if age > lost_after then target = 'lost' elseif age > unhealthy_after then target = 'unhealthy' end
            local status = redis.call('HGET', key, 'status')
            if target and status ~= target and not (status == 'lost' and target == 'unhealthy') then
              local _, max, active = weight(key)
              bucket(KEYS[2], status, -1, -max, -active)
              bucket(KEYS[2], target, 1, max, active)
              redis.call('HSET', key, 'status', target)
              if target == 'lost' then redis.call('HSET', key, 'lost_at', ARGV[2]) end
              table.insert(changed, id)
              table.insert(changed, target)
            end
          end
        end
        return changed
        """;

    // KEYS: ids, totals. ARGV: prefix. Builds the totals from every container once, for a Redis written
    // before totals existed. Returns 1 when it built them, 0 when they were already there.
    public const string RebuildTotals = Totals + """
        if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
        for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          local status, max, active = weight(ARGV[1] .. id)
          bucket(KEYS[2], status, 1, max, active)
        end
        return 1
        """;

    // KEYS: container, heartbeat index, totals. ARGV: id, now ms. Deletes the node's credential and bumps its
    // version (every token it holds stops at its next call), marks it revoked and takes it out of the liveness
    // index; lost_at starts the on_cluster_loss clock as for a lost container. Returns 1, or 0 when missing.
    public const string Revoke = Totals + """
        if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
        local before, max, active = weight(KEYS[1])
        bucket(KEYS[3], before, -1, -max, -active)
        bucket(KEYS[3], 'revoked', 1, max, active)
        redis.call('HDEL', KEYS[1], 'credential_hash')
        redis.call('HINCRBY', KEYS[1], 'credential_version', 1)
        redis.call('HSET', KEYS[1], 'status', 'revoked')
        if before ~= 'revoked' then redis.call('HSET', KEYS[1], 'lost_at', ARGV[2]) end
        redis.call('ZREM', KEYS[2], ARGV[1])
        return 1
        """;
}
