using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Orchestrator.Manager.Redis;

// The one argument of the scripts that take a list (a sweep over n containers, a placement of n
// replicas, a report of n agents): a JSON object decoded by cjson in Lua, so each value has a name there
// too. Numbers travel as strings: cjson would make them Lua doubles, which Redis writes back as "1.7e+12".
// Fixed-size scripts take named LuaScript parameters instead: no decoding cost in Redis, which matters
// on the heartbeat path (measured: cjson.decode adds about 1.5 µs to a 7.7 µs heartbeat script).
internal static class PackedArguments
{
    public static string Pack<T>(T value, JsonTypeInfo<T> type) => JsonSerializer.Serialize(value, type);
}

internal sealed record SweepArgs(string Now, string UnhealthyAfter, string LostAfter, IReadOnlyList<string> Ids);

internal sealed record CommitArgs(string Reservation, string Now, string Channel, IReadOnlyList<string> Required, IReadOnlyList<CommitArgs.Entry> Agents)
{
    internal sealed record Entry(string Id, string Assignment);
}

internal sealed record ReportArgs(string ContainerId, string RequiredName, string RequiredVersion, string Now, IReadOnlyList<ReportArgs.Agent> Agents)
{
    internal sealed record Agent(string Id, string State, string Epoch, string Restarts, string Error, string StartedAt, string ImageDigest,
        string LockWaitedSeconds = "");
}

// Not an argument but a value: a lost container's Outgoing entry, an agent a reschedule has taken off it and
// not yet finished moving to To (see RescheduleScripts).
internal sealed record OutgoingMove(string To, string Orchestrator, string Assignment);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SweepArgs))]
[JsonSerializable(typeof(CommitArgs))]
[JsonSerializable(typeof(ReportArgs))]
[JsonSerializable(typeof(OutgoingMove))]
internal sealed partial class PackedArgumentsJsonContext : JsonSerializerContext;
