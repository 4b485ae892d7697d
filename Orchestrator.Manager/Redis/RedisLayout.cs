using StackExchange.Redis;

namespace Orchestrator.Manager.Redis;

// Moves data written by an older key layout to the current one, once per Redis (see RedisKeys).
// Layout 1 -> 2: a container's hash and desired set gained the hash tag {id}, so they share a Redis
// Cluster slot. Safe to run from several replicas at once: a key is renamed only while the old name
// exists and the new one does not. Old-version replicas must be stopped first: they would keep writing
// the old names.
public sealed class RedisLayout(IConnectionMultiplexer redis, ILogger<RedisLayout> logger)
{
    private const int Batch = 500;

    // Returns how many keys it renamed (0, 1 or 2).
    internal sealed record RenameArgs(RedisKey OldContainer, RedisKey NewContainer, RedisKey OldDesired, RedisKey NewDesired);

    internal static readonly LuaScript RenameContainer = LuaScript.Prepare("""
        local renamed = 0
        if redis.call('EXISTS', @OldContainer) == 1 and redis.call('EXISTS', @NewContainer) == 0 then
          redis.call('RENAME', @OldContainer, @NewContainer)
          renamed = renamed + 1
        end
        if redis.call('EXISTS', @OldDesired) == 1 and redis.call('EXISTS', @NewDesired) == 0 then
          redis.call('RENAME', @OldDesired, @NewDesired)
          renamed = renamed + 1
        end
        return renamed
        """);

    // Returns the number of keys renamed; 0 when the layout was already current.
    public async Task<int> MigrateAsync()
    {
        var db = redis.GetDatabase();
        var version = (int?)await db.StringGetAsync(RedisKeys.Layout) ?? 1;
        if (version >= RedisKeys.LayoutVersion) return 0;
        var renamed = 0;
        var ids = new List<string>(Batch);
        await foreach (var id in db.SetScanAsync(RedisKeys.ContainerIds, pageSize: Batch))
        {
            ids.Add(id.ToString());
            if (ids.Count == Batch) renamed += await RenameAsync(db, ids);
        }
        renamed += await RenameAsync(db, ids);
        await db.StringSetAsync(RedisKeys.Layout, RedisKeys.LayoutVersion);
        if (renamed > 0) logger.LogWarning("Migrated Redis key layout {From} -> {To}: renamed {Renamed} container keys", version, RedisKeys.LayoutVersion, renamed);
        return renamed;
    }

    // Single-key EXISTS first: the rename script spans the old and new names' slots, so it runs only
    // where an old name is left (never on a Redis Cluster, where layout 1 could not be written).
    private static async Task<int> RenameAsync(IDatabase db, List<string> ids)
    {
        var checks = ids.Select(id => (id, container: db.KeyExistsAsync(RedisKeys.Legacy.Container(id)),
            desired: db.KeyExistsAsync(RedisKeys.Legacy.DesiredAgents(id)))).ToList();
        var renamed = 0;
        foreach (var (id, container, desired) in checks)
        {
            if (!await container & !await desired) continue;
            renamed += (int)await RenameContainer.EvaluateAsync(db, new RenameArgs(
                RedisKeys.Legacy.Container(id), RedisKeys.Container(id), RedisKeys.Legacy.DesiredAgents(id), RedisKeys.DesiredAgents(id)));
        }
        ids.Clear();
        return renamed;
    }
}
