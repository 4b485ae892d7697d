using System.Globalization;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Agents;

// Per-container connection counters kept in the container hash: heartbeats and reconnects are counted
// by the register/heartbeat scripts, deliveries by the assignments script, the round trip and failures
// are what the orchestrator measured and sent with its last heartbeat.
public sealed class CommunicationStore(IConnectionMultiplexer redis)
{
    public static readonly RedisValue[] Fields =
        [ContainerFields.Heartbeats, ContainerFields.RoundTripMs, ContainerFields.Deliveries, ContainerFields.Failures, ContainerFields.Reconnects];

    public sealed record Counters(long Heartbeats, double? RoundTripMs, long Deliveries, long Failures, long Reconnects);

    public async Task<IReadOnlyDictionary<string, Counters>> ReadAsync(IEnumerable<string> containerIds)
    {
        var db = redis.GetDatabase();
        var reads = containerIds.Select(id => (id, values: db.HashGetAsync(RedisKeys.Container(id), Fields))).ToList();
        var counters = new Dictionary<string, Counters>(StringComparer.Ordinal);
        foreach (var (id, read) in reads)
        {
            var v = await read;
            counters[id] = new Counters(Long(v[0]), double.TryParse((string?)v[1], CultureInfo.InvariantCulture, out var rtt) ? rtt : null,
                Long(v[2]), Long(v[3]), Long(v[4]));
        }
        return counters;
    }

    private static long Long(RedisValue value) => long.TryParse((string?)value, CultureInfo.InvariantCulture, out var n) ? n : 0;
}
