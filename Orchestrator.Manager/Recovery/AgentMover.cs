using System.Globalization;
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
        var result = (string?)await redis.GetDatabase().ScriptEvaluateAsync(RescheduleScripts.Move,
            values: [RedisKeys.ContainerPrefix, RedisKeys.AgentPrefix, assignment.AgentId, from,
                assignment.Epoch.ToString(CultureInfo.InvariantCulture), to, toOrchestrator,
                JsonSerializer.Serialize(next, ProtocolJsonContext.Default.Assignment), time.GetUtcNow().ToUnixTimeMilliseconds()]);
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
