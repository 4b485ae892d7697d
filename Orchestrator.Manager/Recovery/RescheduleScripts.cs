using Orchestrator.Manager.Agents;
using StackExchange.Redis;

namespace Orchestrator.Manager.Recovery;

internal static class RescheduleScripts
{
    // Moves one reschedule agent off a lost container in one step, or changes nothing. From/To are the two
    // containers' hashes (ids FromId/ToId), FromDesired/ToDesired their desired sets, the channels theirs.
    // Assignment: the new assignment JSON (epoch + 1). The target's capacity counts deploys' live reservations
    // (ToReservations), so a move never takes a slot a deploy holds.
    // Returns 'ok', or why not: 'changed' (moved, deleted or re-epoched meanwhile), 'not_lost' (the old
    // container came back), 'unavailable' (target not healthy), 'full' (target has no room).
    public sealed record MoveArgs(
        RedisKey Agent, RedisKey From, RedisKey FromDesired, RedisKey To, RedisKey ToDesired, RedisKey ToReservations,
        string AgentId, string FromId, long ExpectedEpoch, string ToId, string ToOrchestrator, string Assignment, long Now,
        string FromChannel, string ToChannel);

    public static readonly LuaScript Move = LuaScript.Prepare(AgentScripts.Held + """
        if redis.call('HGET', @Agent, 'container') ~= @FromId then return 'changed' end
        if tonumber(redis.call('HGET', @Agent, 'epoch')) ~= tonumber(@ExpectedEpoch) then return 'changed' end
        if redis.call('HGET', @From, 'status') ~= 'lost' then return 'not_lost' end
        if redis.call('HGET', @To, 'status') ~= 'healthy' then return 'unavailable' end
        local assigned = tonumber(redis.call('HGET', @To, 'assigned_agents') or '0')
        local max = tonumber(redis.call('HGET', @To, 'max_agents') or '0')
        if assigned + held(@ToReservations, tonumber(@Now)) + 1 > max then return 'full' end
        if redis.call('HDEL', @FromDesired, @AgentId) == 1 then
          redis.call('HINCRBY', @From, 'assigned_agents', -1)
        end
        redis.call('PUBLISH', @FromChannel, redis.call('HINCRBY', @From, 'generation', 1))
        redis.call('HINCRBY', @To, 'assigned_agents', 1)
        redis.call('HSET', @ToDesired, @AgentId, @Assignment)
        redis.call('PUBLISH', @ToChannel, redis.call('HINCRBY', @To, 'generation', 1))
        redis.call('HSET', @Agent, 'container', @ToId, 'orchestrator', @ToOrchestrator, 'epoch', tostring(tonumber(@ExpectedEpoch) + 1),
          'assignment', @Assignment, 'rescheduled_at', @Now)
        if redis.call('HGET', @Agent, 'reported_state') == 'running' then redis.call('HINCRBY', @From, 'running_agents', -1) end
        redis.call('HINCRBY', @Agent, 'moves', 1)
        redis.call('HDEL', @Agent, 'reported_state', 'reported_at', 'started_at', 'restarts', 'error')
        return 'ok'
        """);
}
