using System.Globalization;
using StackExchange.Redis;

namespace Orchestrator.Manager.Redis;

// Containers by status with their summed max_agents and active_agents, read in one HGETALL however
// large the fleet: the scripts keep the totals hash up to date (see ContainerScripts).
public sealed class ContainerTotals(IConnectionMultiplexer redis)
{
    private const int RebuildAttempts = 5;

    public sealed record Bucket(long Count, long MaxAgents, long ActiveAgents);

    public async Task<IReadOnlyDictionary<string, Bucket>> ReadAsync()
    {
        var fields = (await redis.GetDatabase().HashGetAllAsync(RedisKeys.ContainerTotals))
            .ToDictionary(f => f.Name.ToString(), f => long.TryParse(f.Value.ToString(), CultureInfo.InvariantCulture, out var v) ? v : 0);
        return ContainerStatus.All.ToDictionary(s => s, s => new Bucket(
            fields.GetValueOrDefault("count:" + s), fields.GetValueOrDefault("max:" + s), fields.GetValueOrDefault("active:" + s)));
    }

    // Once per Redis: a registry written before the totals existed gets them from a full count. The usual
    // answers need no script: totals already there, or no container at all (an absent totals hash then
    // reads as zero, which is right). Both are single-key reads, so they also work on a Redis Cluster,
    // where the counting script (ids, totals and every container in one script) cannot run.
    public async Task<bool> EnsureBuiltAsync()
    {
        var db = redis.GetDatabase();
        for (var attempt = 1; attempt <= RebuildAttempts; attempt++)
        {
            if (await db.KeyExistsAsync(RedisKeys.ContainerTotals)) return false;
            var ids = (await db.SetMembersAsync(RedisKeys.ContainerIds)).Select(id => id.ToString()).ToList();
            if (ids.Count == 0) return false;
            RedisKey[] keys = [RedisKeys.ContainerIds, RedisKeys.ContainerTotals, .. ids.Select(RedisKeys.Container)];
            var built = (int)await db.ScriptEvaluateAsync(ContainerScripts.RebuildTotals, keys,
                [PackedArguments.Pack(new ContainerIdsArgs(ids), PackedArgumentsJsonContext.Default.ContainerIdsArgs)]);
            if (built >= 0) return built == 1;
        }
        throw new InvalidOperationException($"The container registry kept changing while the totals were counted ({RebuildAttempts} tries)");
    }
}
