namespace Orchestrator.Manager.Recovery;

internal static class RescheduleScripts
{
    // Moves one reschedule agent off a lost container in one step, or changes nothing.
    // ARGV: 1 container prefix, 2 agent prefix, 3 agent id, 4 from container, 5 expected epoch,
    // 6 to container, 7 to orchestrator id, 8 new assignment JSON (epoch + 1), 9 now ms.
    // Returns 'ok', or why not: 'changed' (moved, deleted or re-epoched meanwhile), 'not_lost' (the old
    // container came back), 'unavailable' (target not healthy), 'full' (target has no room).
    public const string Move = """
        local akey = ARGV[2] .. ARGV[3]
        if redis.call('HGET', akey, 'container') ~= ARGV[4] then return 'changed' end
        if tonumber(redis.call('HGET', akey, 'epoch')) ~= tonumber(ARGV[5]) then return 'changed' end
        local from = ARGV[1] .. ARGV[4]
        if redis.call('HGET', from, 'status') ~= 'lost' then return 'not_lost' end
        local to = ARGV[1] .. ARGV[6]
        if redis.call('HGET', to, 'status') ~= 'healthy' then return 'unavailable' end
        local assigned = tonumber(redis.call('HGET', to, 'assigned_agents') or '0')
        local max = tonumber(redis.call('HGET', to, 'max_agents') or '0')
        if assigned + 1 > max then return 'full' end
        if redis.call('HDEL', from .. ':desired', ARGV[3]) == 1 then
          redis.call('HINCRBY', from, 'assigned_agents', -1)
        end
        redis.call('PUBLISH', from .. ':changed', redis.call('HINCRBY', from, 'generation', 1))
        redis.call('HINCRBY', to, 'assigned_agents', 1)
        redis.call('HSET', to .. ':desired', ARGV[3], ARGV[8])
        redis.call('PUBLISH', to .. ':changed', redis.call('HINCRBY', to, 'generation', 1))
        redis.call('HSET', akey, 'container', ARGV[6], 'orchestrator', ARGV[7], 'epoch', tostring(tonumber(ARGV[5]) + 1),
          'assignment', ARGV[8], 'rescheduled_at', ARGV[9])
        redis.call('HINCRBY', akey, 'moves', 1)
        redis.call('HDEL', akey, 'reported_state', 'reported_at', 'started_at', 'restarts', 'error')
        return 'ok'
        """;
}
