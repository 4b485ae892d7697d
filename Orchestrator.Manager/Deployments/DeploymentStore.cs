using System.Text.Json;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Deployments;

// Deployments in Redis: one hash per deployment (doc, version) and the id set, all in the slot of {deployments}.
// Every write names the version it read: the API's changes and the rollout controller's steps never overwrite
// each other; the loser reads again.
public sealed class DeploymentStore(IConnectionMultiplexer redis)
{
    // Active: 1 while the deployment rolls out (running or paused), so the rollout driver reads only those.
    internal sealed record SaveArgs(RedisKey Deployment, RedisKey Ids, RedisKey ActiveIds, string Id, long Expected, string Doc, int Active);

    // 1 when written (the stored version was Expected, 0 = none yet), else 0.
    private static readonly LuaScript SaveScript = LuaScript.Prepare("""
        if (tonumber(redis.call('HGET', @Deployment, 'version')) or 0) ~= tonumber(@Expected) then return 0 end
        redis.call('HSET', @Deployment, 'doc', @Doc, 'version', tonumber(@Expected) + 1)
        redis.call('SADD', @Ids, @Id)
        if tonumber(@Active) == 1 then redis.call('SADD', @ActiveIds, @Id) else redis.call('SREM', @ActiveIds, @Id) end
        return 1
        """);

    internal sealed record DeleteArgs(RedisKey Deployment, RedisKey Ids, RedisKey ActiveIds, string Id, long Expected);

    private static readonly LuaScript DeleteScript = LuaScript.Prepare("""
        if (tonumber(redis.call('HGET', @Deployment, 'version')) or 0) ~= tonumber(@Expected) then return 0 end
        redis.call('DEL', @Deployment)
        redis.call('SREM', @Ids, @Id)
        redis.call('SREM', @ActiveIds, @Id)
        return 1
        """);

    private IDatabase Db => redis.GetDatabase();

    public async Task<DeploymentRecord?> GetAsync(string id)
    {
        var values = await Db.HashGetAsync(RedisKeys.Deployment(id), ["doc", "version"]);
        if (values[0].IsNullOrEmpty) return null;
        var record = JsonSerializer.Deserialize(values[0].ToString(), DeploymentJsonContext.Default.DeploymentRecord)!;
        record.Version = (long)values[1];
        return record;
    }

    // Every deployment, or (active) only those rolling out.
    public async Task<IReadOnlyList<DeploymentRecord>> ListAsync(bool active = false)
    {
        var ids = await Db.SetMembersAsync(active ? RedisKeys.ActiveDeploymentIds : RedisKeys.DeploymentIds);
        var reads = ids.Select(id => GetAsync(id.ToString())).ToList();
        var records = new List<DeploymentRecord>(reads.Count);
        foreach (var read in reads)
            if (await read is { } record) records.Add(record);
        return records.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();
    }

    // Writes record if nobody wrote it since it was read (record.Version); bumps record.Version on success.
    public async Task<bool> TrySaveAsync(DeploymentRecord record)
    {
        var doc = JsonSerializer.Serialize(record, DeploymentJsonContext.Default.DeploymentRecord);
        var saved = (int)await SaveScript.EvaluateAsync(Db, new SaveArgs(RedisKeys.Deployment(record.Id), RedisKeys.DeploymentIds,
            RedisKeys.ActiveDeploymentIds, record.Id, record.Version, doc,
            record.State is DeploymentStates.Running or DeploymentStates.Paused ? 1 : 0)) == 1;
        if (saved) record.Version++;
        return saved;
    }

    public async Task<bool> TryDeleteAsync(DeploymentRecord record) =>
        (int)await DeleteScript.EvaluateAsync(Db, new DeleteArgs(RedisKeys.Deployment(record.Id), RedisKeys.DeploymentIds,
            RedisKeys.ActiveDeploymentIds, record.Id,
            record.Version)) == 1;

    // Reads, changes and writes until the write wins (another writer raced it). change returns false to write nothing.
    public async Task<DeploymentRecord?> ChangeAsync(string id, Func<DeploymentRecord, bool> change)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            if (await GetAsync(id) is not { } record) return null;
            if (!change(record)) return record;
            if (await TrySaveAsync(record)) return record;
        }
        throw new InvalidOperationException($"Deployment {id} kept changing while it was written (20 tries)");
    }
}
