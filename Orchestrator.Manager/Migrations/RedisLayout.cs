using System.Text.Json;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Migrations;

// Moves data written by an older key layout to the current one, once per Redis (see RedisKeys).
// Layout 1 -> 2: a container's hash and desired set gained the hash tag {id}, so they share a Redis
// Cluster slot. Layout 2 -> 3 (and 1 -> 3 in the same pass): the global container indexes (ids, by-name,
// by-heartbeat, totals) are split into ContainerShards' 256 shards, and a container's keys carry its shard's
// tag, so one container and its shard's indexes share a slot. The totals are rebuilt from each container on
// the way, so a Redis written before totals existed gets them too.
//
// One script per container; it takes the container out of the old ids set, so a manager that dies halfway
// resumes where it stopped, and replicas starting together each move a container at most once (the totals
// are added only when the container enters its shard's ids set). Old-version replicas must be stopped first:
// they would keep writing the old names. The script spans the old and new names' slots: it runs only where
// old data exists, which is never a Redis Cluster (no older layout could register a container there).
//
// Layout 3 -> 4 (and every older one in the same pass): each agent's hash moves under its shard's tag and into
// its shard of the agents index, and what its node last reported moves into its container's reports hash;
// enrollment tokens move under the {enrollment} tag. These steps are single-key commands, not scripts, because a
// layout-3 Redis Cluster may hold agents of single-container deploys: the new hash is written before the old one
// is deleted and the id leaves the old index last, so a manager dying halfway resumes, and replicas starting
// together copy the same values.
public sealed class RedisLayout(IConnectionMultiplexer redis, ILogger<RedisLayout> logger)
{
    private const int Batch = 500;

    internal sealed record MoveArgs(
        RedisKey OldIds, RedisKey OldNames, RedisKey OldIndex,
        RedisKey UntaggedContainer, RedisKey UntaggedDesired, RedisKey TaggedContainer, RedisKey TaggedDesired,
        RedisKey Container, RedisKey Desired, RedisKey Ids, RedisKey Names, RedisKey Index, RedisKey Totals, string Id);

    // Returns 1 when this call moved the container into its shard, 0 when another replica did or it had no
    // hash left (then only its id is dropped).
    internal static readonly LuaScript MoveContainer = LuaScript.Prepare(ContainerScripts.Totals + """
        if redis.call('EXISTS', @UntaggedContainer) == 1 and redis.call('EXISTS', @Container) == 0 then
          redis.call('RENAME', @UntaggedContainer, @Container)
        end
        if redis.call('EXISTS', @TaggedContainer) == 1 and redis.call('EXISTS', @Container) == 0 then
          redis.call('RENAME', @TaggedContainer, @Container)
        end
        if redis.call('EXISTS', @UntaggedDesired) == 1 and redis.call('EXISTS', @Desired) == 0 then
          redis.call('RENAME', @UntaggedDesired, @Desired)
        end
        if redis.call('EXISTS', @TaggedDesired) == 1 and redis.call('EXISTS', @Desired) == 0 then
          redis.call('RENAME', @TaggedDesired, @Desired)
        end
        local moved = 0
        local name = redis.call('HGET', @Container, 'name')
        if name then
          if redis.call('SADD', @Ids, @Id) == 1 then
            moved = 1
            local status, max, active = weight(@Container)
            bucket(@Totals, status, 1, max, active)
          end
          if redis.call('HGET', @OldNames, name) == @Id then
            redis.call('HSET', @Names, name, @Id)
            redis.call('HDEL', @OldNames, name)
          end
          local score = redis.call('ZSCORE', @OldIndex, @Id)
          if score then redis.call('ZADD', @Index, score, @Id) end
        end
        redis.call('ZREM', @OldIndex, @Id)
        redis.call('SREM', @OldIds, @Id)
        return moved
        """);

    // Returns the number of containers and agents moved; 0 when the layout was already current.
    public async Task<int> MigrateAsync()
    {
        var db = redis.GetDatabase();
        var version = (int?)await db.StringGetAsync(RedisKeys.Layout) ?? 1;
        if (version >= RedisKeys.LayoutVersion) return 0;
        var moved = version < 3 ? await MoveContainersAsync(db) : 0;
        var agents = await MoveAgentsAsync(db);
        await MoveEnrollmentTokensAsync(db);
        await db.StringSetAsync(RedisKeys.Layout, RedisKeys.LayoutVersion);
        if (moved + agents > 0) logger.LogWarning("Migrated Redis key layout {From} -> {To}: moved {Moved} containers into {Shards} shards and {Agents} agents",
            version, RedisKeys.LayoutVersion, moved, ContainerShards.Count, agents);
        return moved + agents;
    }

    private static readonly string[] ReportFields =
        [AgentFields.ReportedState, AgentFields.ReportedAt, AgentFields.Restarts, AgentFields.Error, AgentFields.StartedAt, AgentFields.ImageDigest];

    private static async Task<int> MoveAgentsAsync(IDatabase db)
    {
        var moved = 0;
        while (true)
        {
            var ids = (await db.SetRandomMembersAsync(RedisKeys.Legacy.AgentIds, Batch)).Select(id => id.ToString()).ToList();
            if (ids.Count == 0) return moved;
            foreach (var id in ids)
            {
                var fields = await db.HashGetAllAsync(RedisKeys.Legacy.Agent(id));
                if (fields.Length > 0)
                {
                    var spec = fields.Where(f => !ReportFields.Contains(f.Name.ToString())).ToArray();
                    var report = fields.Where(f => ReportFields.Contains(f.Name.ToString()))
                        .ToDictionary(f => f.Name.ToString(), f => f.Value.ToString());
                    await db.HashSetAsync(RedisKeys.Agent(id), spec);
                    var container = spec.FirstOrDefault(f => f.Name == AgentFields.Container).Value.ToString();
                    if (report.Count > 0 && container.Length > 0)
                        await db.HashSetAsync(RedisKeys.Reports(container), id,
                            JsonSerializer.Serialize(report, Enrollment.EnrollmentJsonContext.Default.IReadOnlyDictionaryStringString));
                    await db.SetAddAsync(RedisKeys.AgentIdsOf(id), id);
                    await db.KeyDeleteAsync(RedisKeys.Legacy.Agent(id));
                    moved++;
                }
                await db.SetRemoveAsync(RedisKeys.Legacy.AgentIds, id);
            }
        }
    }

    private static async Task MoveEnrollmentTokensAsync(IDatabase db)
    {
        foreach (var entry in await db.HashGetAllAsync(RedisKeys.Legacy.EnrollmentTokens))
        {
            var hash = entry.Value.ToString();
            var old = RedisKeys.Legacy.EnrollmentToken(hash);
            var fields = await db.HashGetAllAsync(old);
            var expiry = await db.KeyExpireTimeAsync(old);
            if (fields.Length > 0)
            {
                await db.HashSetAsync(RedisKeys.EnrollmentToken(hash), fields);
                if (expiry is { } at) await db.KeyExpireAsync(RedisKeys.EnrollmentToken(hash), at);
                await db.HashSetAsync(RedisKeys.EnrollmentTokens, entry.Name, entry.Value);
                await db.KeyDeleteAsync(old);
            }
            await db.HashDeleteAsync(RedisKeys.Legacy.EnrollmentTokens, entry.Name);
        }
    }

    private async Task<int> MoveContainersAsync(IDatabase db)
    {
        var moved = 0;
        while (true)
        {
            // Each moved id leaves the old set, so reading its first members again until none is left resumes anywhere.
            var ids = (await db.SetRandomMembersAsync(RedisKeys.Legacy.ContainerIds, Batch)).Select(id => id.ToString()).ToList();
            if (ids.Count == 0) break;
            var names = ids.Select(id => (id, name: NameAsync(db, id))).ToList();
            foreach (var (id, name) in names) moved += await MoveAsync(db, id, await name);
        }
        // Names of containers that were gone, and the old totals (rebuilt per shard above): nothing reads them now.
        await db.KeyDeleteAsync(RedisKeys.Legacy.ContainerNames);
        await db.KeyDeleteAsync(RedisKeys.Legacy.ContainerTotals);
        await db.KeyDeleteAsync(RedisKeys.Legacy.HeartbeatIndex);
        return moved;
    }

    // Wherever the container's hash is now: under either older name, or already moved by another replica.
    private static async Task<string?> NameAsync(IDatabase db, string id) =>
        (string?)await db.HashGetAsync(RedisKeys.Legacy.TaggedContainer(id), ContainerFields.Name)
        ?? (string?)await db.HashGetAsync(RedisKeys.Legacy.Container(id), ContainerFields.Name)
        ?? (string?)await db.HashGetAsync(RedisKeys.Container(id), ContainerFields.Name);

    private static async Task<int> MoveAsync(IDatabase db, string id, string? name)
    {
        var shard = ContainerShards.Of(id);
        return (int)await MoveContainer.EvaluateAsync(db, new MoveArgs(
            OldIds: RedisKeys.Legacy.ContainerIds, OldNames: RedisKeys.Legacy.ContainerNames, OldIndex: RedisKeys.Legacy.HeartbeatIndex,
            UntaggedContainer: RedisKeys.Legacy.Container(id), UntaggedDesired: RedisKeys.Legacy.DesiredAgents(id),
            TaggedContainer: RedisKeys.Legacy.TaggedContainer(id), TaggedDesired: RedisKeys.Legacy.TaggedDesiredAgents(id),
            Container: RedisKeys.Container(id), Desired: RedisKeys.DesiredAgents(id), Ids: RedisKeys.ContainerIds(shard),
            Names: RedisKeys.ContainerNames(ContainerShards.Of(name ?? id)), Index: RedisKeys.HeartbeatIndex(shard),
            Totals: RedisKeys.ContainerTotals(shard), Id: id));
    }
}
