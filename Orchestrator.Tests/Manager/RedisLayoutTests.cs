using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Manager.Redis;
using Orchestrator.Protocol;
using StackExchange.Redis;

namespace Orchestrator.Tests.Manager;

// A Redis written by an older key layout is migrated once when a manager starts: layout 1 (no hash tags)
// and layout 2 (a container's keys tagged with its id, global indexes) both end in layout 3 (container keys
// and indexes in ContainerShards' shards). Containers, their desired agents, the by-name and by-heartbeat
// indexes and the totals come through, and every later write uses the new names.
[Trait(TestLevel.Name, TestLevel.Api)]
public class RedisLayoutTests
{
    private const string Id = "ctr-01d01d01d01d01d0";
    private const string Name = "legacy-cluster";
    private const string AgentId = "agt-01d01d01d01d01d0";

    [Fact]
    public async Task ARegistryWrittenBeforeHashTagsIsMigratedOnceAtStart()
    {
        await using var redis = new RedisHost();
        await redis.StartAsync();
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
            await WriteOlderLayoutAsync(connection.GetDatabase(), Id, Name, tagged: false, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        await using var manager = new ManagerFactory(redis);
        using var admin = await manager.CreateAdminClientAsync();

        var container = await admin.GetJsonAsync($"/api/v1/cluster/containers/{Id}");
        Assert.Equal(Name, container.GetProperty("container_name").GetString());
        Assert.Equal(1, container.GetProperty("assigned_agents").GetInt32());
        var assignments = await admin.GetJsonAsync($"/api/v1/cluster/containers/{Id}/assignments?wait=0");
        Assert.Equal(AgentId, Assert.Single(assignments.GetProperty("assignments").EnumerateArray()).GetProperty("agent_id").GetString());

        var db = manager.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        Assert.False(await db.KeyExistsAsync("orchestrator:container:" + Id));
        Assert.False(await db.KeyExistsAsync("orchestrator:container:" + Id + ":desired"));
        Assert.False(await db.KeyExistsAsync("orchestrator:containers"));
        Assert.False(await db.KeyExistsAsync("orchestrator:containers:by-name"));
        Assert.False(await db.KeyExistsAsync("orchestrator:containers:totals"));
        Assert.True(await db.KeyExistsAsync(RedisKeys.Container(Id)));
        Assert.True(await db.KeyExistsAsync(RedisKeys.DesiredAgents(Id)));
        Assert.Equal(RedisKeys.LayoutVersion, (int)await db.StringGetAsync(RedisKeys.Layout));

        // The same container heartbeats into its migrated hash, and removing its agent frees its capacity.
        (await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{Id}/heartbeat", Registrations.Heartbeat(Id, activeAgents: 1))).EnsureSuccessStatusCode();
        (await admin.DeleteAsync($"/api/v1/cluster/agents/{AgentId}")).EnsureSuccessStatusCode();
        container = await admin.GetJsonAsync($"/api/v1/cluster/containers/{Id}");
        Assert.Equal(0, container.GetProperty("assigned_agents").GetInt32());
        Assert.Equal("healthy", container.GetProperty("status").GetString());
        var status = await admin.GetStatusAsync();
        Assert.Equal(1, status.ContainersByStatus[ContainerStatus.Healthy]);
        Assert.Equal(10, status.TotalCapacity);

        // Once: the layout mark stops a second pass (here a second replica starting) from touching anything.
        Assert.Equal(0, await manager.Services.GetRequiredService<RedisLayout>().MigrateAsync());
    }

    [Fact]
    public async Task ARegistryWithGlobalIndexesIsShardedWithItsTotalsNamesAndHeartbeatsByReplicasMigratingAtOnce()
    {
        await using var redis = new RedisHost();
        await redis.StartAsync();
        var now = DateTimeOffset.UtcNow;
        var containers = Enumerable.Range(0, 40).Select(i => (Id: $"ctr-5a5a5a5a5a5a{i:x4}", Name: $"sharded-{i}")).ToList();
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
        {
            var db = connection.GetDatabase();
            // Layout 2 as written before totals existed: no totals hash at all. The first ten heartbeated long ago.
            foreach (var (c, i) in containers.Select((c, i) => (c, i)))
                await WriteOlderLayoutAsync(db, c.Id, c.Name, tagged: true, (i < 10 ? now.AddMinutes(-10) : now).ToUnixTimeMilliseconds(), withAgent: false);
            await db.KeyDeleteAsync("orchestrator:containers:totals");
            await db.StringSetAsync(RedisKeys.Layout, 2);

            // Three replicas starting together: each container is moved, and counted, once.
            var layouts = Enumerable.Range(0, 3).Select(_ => new RedisLayout(connection, NullLogger<RedisLayout>.Instance)).ToList();
            var moved = await Task.WhenAll(layouts.Select(l => l.MigrateAsync()));
            Assert.Equal(40, moved.Sum());
        }

        await using var manager = new ManagerFactory(redis);
        using var admin = await manager.CreateAdminClientAsync();

        var status = await admin.GetStatusAsync();
        Assert.Equal(40, status.TotalContainers);
        // Totals rebuilt from each container, once: (this manager's own first sweep may already have marked the silent ten)
        Assert.Equal(40, status.ContainersByStatus.Values.Sum());
        // By-name came through: registering a migrated name again keeps its id.
        Assert.Equal(containers[20].Id, await admin.RegisterIdAsync(containers[20].Name));
        // By-heartbeat came through: the manager's first liveness pass finds the ten silent ones, and only them.
        await Deadline.UntilAsync(async () => (await admin.GetStatusAsync()).ContainersByStatus.GetValueOrDefault(ContainerStatus.Unhealthy) == 10,
            TimeSpan.FromSeconds(20), "the liveness pass to mark the ten silent containers unhealthy");
        Assert.Equal("unhealthy", (await admin.GetJsonAsync($"/api/v1/cluster/containers/{containers[0].Id}")).GetProperty("status").GetString());
        Assert.Equal(30, (await admin.GetStatusAsync()).ContainersByStatus[ContainerStatus.Healthy]);
    }

    [Fact]
    public async Task AFreshRedisIsMarkedWithTheCurrentLayout()
    {
        await using var redis = new RedisHost();
        await redis.StartAsync();
        await using var manager = new ManagerFactory(redis);
        using var admin = await manager.CreateAdminClientAsync();
        var id = await admin.RegisterIdAsync(Registrations.UniqueName());

        var db = manager.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        Assert.Equal(RedisKeys.LayoutVersion, (int)await db.StringGetAsync(RedisKeys.Layout));
        Assert.True(await db.KeyExistsAsync(RedisKeys.Container(id)));
        Assert.True(await db.SetContainsAsync(RedisKeys.ContainerIds(ContainerShards.Of(id)), id));
        Assert.False(await db.KeyExistsAsync(RedisKeys.Legacy.Container(id)));
        Assert.False(await db.KeyExistsAsync(RedisKeys.Legacy.TaggedContainer(id)));
        Assert.False(await db.KeyExistsAsync(RedisKeys.Legacy.ContainerIds));
    }

    // What the manager wrote for one registered container (with one placed agent) in layout 1 (untagged) or 2 (tagged).
    private static async Task WriteOlderLayoutAsync(IDatabase db, string id, string name, bool tagged, long lastHeartbeat, bool withAgent = true)
    {
        var key = tagged ? "orchestrator:container:{" + id + "}" : "orchestrator:container:" + id;
        var assignment = $$"""{"agent_id":"{{AgentId}}","agent_type":"trading","agent_config":{},"epoch":1,"on_cluster_loss":"keep"}""";
        await db.HashSetAsync(key,
        [
            new("id", id), new("name", name), new("host", "127.0.0.1"), new("port", 8001),
            new("capabilities", """["agent_runner","orchestrator_cluster"]"""), new("resources", "{}"), new("metadata", """{"orchestrator_id":"1"}"""),
            new("max_agents", 10), new("status", "healthy"), new("registered_at", lastHeartbeat), new("last_heartbeat", lastHeartbeat), new("health_score", 100),
            new("active_agents", 0), new("assigned_agents", withAgent ? 1 : 0), new("generation", withAgent ? 1 : 0),
        ]);
        await db.SetAddAsync("orchestrator:containers", id);
        await db.HashSetAsync("orchestrator:containers:by-name", name, id);
        await db.SortedSetAddAsync("orchestrator:containers:by-heartbeat", id, lastHeartbeat);
        await db.HashIncrementAsync("orchestrator:containers:totals", "count:healthy", 1);
        await db.HashIncrementAsync("orchestrator:containers:totals", "max:healthy", 10);
        if (!withAgent) return;
        await db.HashSetAsync(key + ":desired", AgentId, assignment);
        await db.HashSetAsync("orchestrator:agent:" + AgentId,
        [
            new("id", AgentId), new("type", "trading"), new("config", "{}"), new("container", id), new("orchestrator", "1"),
            new("epoch", 1), new("policy", "keep"), new("deployment", "dep-0ld"), new("created_at", lastHeartbeat), new("assignment", assignment),
        ]);
        await db.SetAddAsync("orchestrator:agents", AgentId);
    }
}
