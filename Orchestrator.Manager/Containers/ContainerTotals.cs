using System.Globalization;
using StackExchange.Redis;
using Orchestrator.Manager.Redis;

namespace Orchestrator.Manager.Containers;

// Containers by status with their summed max_agents and active_agents, read in one HGETALL per shard
// (pipelined) however large the fleet: the scripts keep each shard's totals hash up to date (see
// ContainerScripts), and this sums them.
public sealed class ContainerTotals(IConnectionMultiplexer redis)
{
    public sealed record Bucket(long Count, long MaxAgents, long ActiveAgents);

    public async Task<IReadOnlyDictionary<string, Bucket>> ReadAsync()
    {
        var db = redis.GetDatabase();
        var reads = ContainerShards.All.Select(shard => db.HashGetAllAsync(RedisKeys.ContainerTotals(shard))).ToList();
        var fields = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var read in reads)
        {
            foreach (var field in await read)
            {
                var value = long.TryParse(field.Value.ToString(), CultureInfo.InvariantCulture, out var v) ? v : 0;
                fields[field.Name.ToString()] = fields.GetValueOrDefault(field.Name.ToString()) + value;
            }
        }
        return ContainerStatus.All.ToDictionary(s => s, s => new Bucket(
            fields.GetValueOrDefault("count:" + s), fields.GetValueOrDefault("max:" + s), fields.GetValueOrDefault("active:" + s)));
    }
}
