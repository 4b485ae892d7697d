using System.Text.Json;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Recovery;

// Runs RescheduleScripts.Move for one agent, building its next assignment (epoch + 1).
public sealed class AgentMover(IConnectionMultiplexer redis, TimeProvider time)
{
    public enum Outcome { Moved, Changed, NotLost, Unavailable, Full }

    public async Task<Outcome> MoveAsync(Assignment assignment, string from, string to, string toOrchestrator, string? traceparent)
    {
        var next = assignment with { Epoch = assignment.Epoch + 1, Traceparent = traceparent ?? assignment.Traceparent };
        var result = (string?)await RescheduleScripts.Move.EvaluateAsync(redis.GetDatabase(), new RescheduleScripts.MoveArgs(
            Agent: RedisKeys.Agent(assignment.AgentId), From: RedisKeys.Container(from), FromDesired: RedisKeys.DesiredAgents(from),
            To: RedisKeys.Container(to), ToDesired: RedisKeys.DesiredAgents(to), ToReservations: RedisKeys.Reservations(to),
            AgentId: assignment.AgentId, FromId: from, ExpectedEpoch: assignment.Epoch, ToId: to, ToOrchestrator: toOrchestrator,
            Assignment: JsonSerializer.Serialize(next, ProtocolJsonContext.Default.Assignment), Now: time.GetUtcNow().ToUnixTimeMilliseconds(),
            FromChannel: RedisKeys.ContainerChanged(from).ToString(), ToChannel: RedisKeys.ContainerChanged(to).ToString()));
        return result switch
        {
            "ok" => Outcome.Moved,
            "not_lost" => Outcome.NotLost,
            "unavailable" => Outcome.Unavailable,
            "full" => Outcome.Full,
            _ => Outcome.Changed,
        };
    }
}
