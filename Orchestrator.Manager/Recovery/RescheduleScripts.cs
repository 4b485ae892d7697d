using Orchestrator.Manager.Agents;
using StackExchange.Redis;

namespace Orchestrator.Manager.Recovery;

// A reschedule touches three slots (the lost container's, the target's, the agent's), so it is three one-slot
// steps run by AgentMover, in an order that never loses or duplicates the agent:
//   1. AgentScripts.Reserve holds one slot on the target;
//   2. MoveOut takes the agent off the lost container and leaves the move in its Outgoing hash;
//   3. AgentScripts.Commit puts it into the target's desired set (a second commit is a no-op);
//   4. Point turns the agent's hash to the target, then the Outgoing entry is dropped.
// A manager that dies after 2 leaves the entry in Outgoing, where the next rescheduling pass finds it
// (the lost container is scanned again) and runs 3 and 4 again.
internal static class RescheduleScripts
{
    // From: the lost container (id FromId) with its desired set, reports and outgoing moves; Next: the outgoing
    // entry (JSON: to, orchestrator, assignment with epoch + 1). Returns 'ok', or why not: 'changed' (moved,
    // deleted or re-epoched meanwhile), 'not_lost' (the old container came back).
    // Drain '1' (issue 27): the old container is alive, so instead of 'lost' the move needs the agent's entry at
    // desired_state stopped and its node's report of it stopped at that epoch (the old copy is down): else 'not_stopped'.
    public sealed record MoveOutArgs(
        RedisKey From, RedisKey FromDesired, RedisKey FromReports, RedisKey FromOutgoing, string AgentId, long ExpectedEpoch, string Next,
        string FromChannel, string Drain = "");

    public static readonly LuaScript MoveOut = LuaScript.Prepare(AgentScripts.ReportState + AgentScripts.Resources + """
        local current = redis.call('HGET', @FromDesired, @AgentId)
        if not current or tonumber(cjson.decode(current).epoch) ~= tonumber(@ExpectedEpoch) then return 'changed' end
        if @Drain == '1' then
          if cjson.decode(current).desired_state ~= 'stopped' or reported_state(@FromReports, @AgentId) ~= 'stopped' then return 'not_stopped' end
        elseif redis.call('HGET', @From, 'status') ~= 'lost' then return 'not_lost' end
        redis.call('HDEL', @FromDesired, @AgentId)
        redis.call('HINCRBY', @From, 'assigned_agents', -1)
        release(@From, current)
        if reported_state(@FromReports, @AgentId) == 'running' then redis.call('HINCRBY', @From, 'running_agents', -1) end
        redis.call('HDEL', @FromReports, @AgentId)
        redis.call('HSET', @FromOutgoing, @AgentId, @Next)
        redis.call('PUBLISH', @FromChannel, redis.call('HINCRBY', @From, 'generation', 1))
        return 'ok'
        """);

    // Points the agent's hash at its new container, once (a repeat with the same epoch changes nothing).
    // Returns 'ok', or 'gone' when the agent was removed meanwhile: the caller takes it off the target again.
    public sealed record PointArgs(RedisKey Agent, string ToId, string ToOrchestrator, long Epoch, string Assignment, long Now);

    public static readonly LuaScript Point = LuaScript.Prepare("""
        if redis.call('EXISTS', @Agent) == 0 then return 'gone' end
        if tonumber(redis.call('HGET', @Agent, 'epoch') or '0') >= tonumber(@Epoch) then return 'ok' end
        redis.call('HSET', @Agent, 'container', @ToId, 'orchestrator', @ToOrchestrator, 'epoch', @Epoch,
          'assignment', @Assignment, 'rescheduled_at', @Now)
        redis.call('HINCRBY', @Agent, 'moves', 1)
        return 'ok'
        """);
}
