using System.Globalization;
using StackExchange.Redis;

namespace Orchestrator.Manager.Redis;

// Containers by status with their summed max_agents and active_agents, read in one HGETALL however
// large the fleet: the scripts keep the totals hash up to date (see ContainerScripts).
public sealed class ContainerTotals(IConnectionMultiplexer redis)
{
    public sealed record Bucket(long Count, long MaxAgents, long ActiveAgents);

    public async Task<IReadOnlyDictionary<string, Bucket>> ReadAsync()
    {
        var fields = (await redis.GetDatabase().HashGetAllAsync(RedisKeys.ContainerTotals))
            .ToDictionary(f => f.Name.ToString(), f => long.TryParse(f.Value.ToString(), CultureInfo.InvariantCulture, out var v) ? v : 0);
        return ContainerStatus.All.ToDictionary(s => s, s => new Bucket(
            fields.GetValueOrDefault("count:" + s), fields.GetValueOrDefault("max:" + s), fields.GetValueOrDefault("active:" + s)));
    }

    // Once per Redis: a registry written before the totals existed gets them from a full count.
    public async Task<bool> EnsureBuiltAsync() =>
        (int)await redis.GetDatabase().ScriptEvaluateAsync(ContainerScripts.RebuildTotals,
            [RedisKeys.ContainerIds, RedisKeys.ContainerTotals], [RedisKeys.ContainerPrefix]) == 1;
}
