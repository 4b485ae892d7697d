using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Migrations;
using Orchestrator.Manager.Redis;
using Orchestrator.Protocol;
using StackExchange.Redis;

namespace Orchestrator.Tests.Manager;

// A Redis written by an older key layout is migrated once when a manager starts: layout 1 (no hash tags)
// and layout 2 (a container's keys tagged with its id, global indexes) both end in layout 3's container keys
// and indexes in ContainerShards' shards, and layouts 1 to 3 in layout 4's agent keys (each agent under its
// shard's tag, its report in its container's keys) and {enrollment}-tagged tokens. Containers, their desired agents, the by-name and by-heartbeat
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
        Assert.False(await db.KeyExistsAsync("orchestrator:agent:" + AgentId));
        Assert.True(await db.KeyExistsAsync(RedisKeys.Agent(AgentId)));
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
    public async Task AgentsAndEnrollmentTokensOfLayoutThreeMoveIntoOneSlotKeysWithTheirReportsAndTokenUses()
    {
        await using var redis = new RedisHost();
        await redis.StartAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var (token, tokenId) = Orchestrator.Manager.Auth.EnrollmentSecrets.NewEnrollmentToken();
        var tokenHash = Orchestrator.Manager.Auth.EnrollmentSecrets.Hash(token);
        await using (var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString))
        {
            var db = connection.GetDatabase();
            // A layout-3 container (already in its shard) running one agent that its node reported running.
            await WriteOlderLayoutAsync(db, Id, Name, tagged: false, now);
            Assert.Equal(2, await new RedisLayout(connection, NullLogger<RedisLayout>.Instance).MigrateAsync());
            await db.HashSetAsync(RedisKeys.Container(Id), "running_agents", 1);
            await db.StringSetAsync(RedisKeys.Layout, 3);
            // Layout 3 kept the agent untagged, with its report in its own hash, and the agent moved by the pass above
            // is put back where layout 3 had it.
            var migrated = await db.HashGetAllAsync(RedisKeys.Agent(AgentId));
            await db.KeyDeleteAsync(RedisKeys.Agent(AgentId));
            await db.SetRemoveAsync(RedisKeys.AgentIdsOf(AgentId), AgentId);
            await db.HashSetAsync(RedisKeys.Legacy.Agent(AgentId), [.. migrated, new("reported_state", "running"), new("reported_at", now),
                new("restarts", 2), new("error", ""), new("started_at", "2026-01-02T03:04:05.0000000+00:00")]);
            await db.SetAddAsync(RedisKeys.Legacy.AgentIds, AgentId);
            // One enrollment token, used once of two, expiring in an hour.
            var legacyToken = RedisKeys.Legacy.EnrollmentToken(tokenHash);
            await db.HashSetAsync(legacyToken,
            [
                new("token_id", tokenId), new("orchestrator_ids", """["1"]"""), new("max_uses", 2), new("uses", 1),
                new("expires_at", now + 3_600_000), new("created_at", now), new("max_agents", 10), new("capabilities", ""), new("labels", ""),
            ]);
            await db.KeyExpireAsync(legacyToken, DateTimeOffset.FromUnixTimeMilliseconds(now + 3_600_000).UtcDateTime);
            await db.HashSetAsync(RedisKeys.Legacy.EnrollmentTokens, tokenId, tokenHash);
        }

        await using var manager = new ManagerFactory(redis);
        using var admin = await manager.CreateAdminClientAsync();

        var db2 = manager.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        Assert.Equal(RedisKeys.LayoutVersion, (int)await db2.StringGetAsync(RedisKeys.Layout));
        Assert.False(await db2.KeyExistsAsync(RedisKeys.Legacy.Agent(AgentId)));
        Assert.False(await db2.KeyExistsAsync(RedisKeys.Legacy.AgentIds));
        Assert.False(await db2.KeyExistsAsync(RedisKeys.Legacy.EnrollmentToken(tokenHash)));
        Assert.False(await db2.KeyExistsAsync(RedisKeys.Legacy.EnrollmentTokens));
        Assert.True(await db2.SetContainsAsync(RedisKeys.AgentIdsOf(AgentId), AgentId));
        Assert.False(await db2.HashExistsAsync(RedisKeys.Agent(AgentId), "reported_state"));
        Assert.NotNull(await db2.KeyExpireTimeAsync(RedisKeys.EnrollmentToken(tokenHash)));

        // The agent's report came along: listed running, with its restarts.
        var agent = await admin.GetJsonAsync($"/api/v1/cluster/agents/{AgentId}");
        Assert.Equal("running", agent.GetProperty("state").GetString());
        Assert.Equal(2, agent.GetProperty("restarts").GetInt32());
        var listed = await admin.GetJsonAsync("/api/v1/cluster/agents");
        Assert.Contains(AgentId, listed.ToString());

        // The token keeps its one use left: one enrollment passes, the next is refused.
        using var anonymous = manager.CreateClient("10.9.7.1");
        var body = Orchestrator.Tests.Identity.EnrollmentFixture.EnrollBody(token, Registrations.UniqueName("migrated"));
        Assert.Equal(201, (int)(await anonymous.PostAsJsonAsync("/api/v1/cluster/enroll", body)).StatusCode);
        var again = Orchestrator.Tests.Identity.EnrollmentFixture.EnrollBody(token, Registrations.UniqueName("migrated"));
        Assert.Equal(401, (int)(await anonymous.PostAsJsonAsync("/api/v1/cluster/enroll", again)).StatusCode);

        // Removing the agent gives back its capacity and its running count.
        (await admin.DeleteAsync($"/api/v1/cluster/agents/{AgentId}")).EnsureSuccessStatusCode();
        Assert.Equal(0, (int)await db2.HashGetAsync(RedisKeys.Container(Id), "running_agents"));
        Assert.Equal(0, (int)await db2.HashGetAsync(RedisKeys.Container(Id), "assigned_agents"));
        Assert.False(await db2.KeyExistsAsync(RedisKeys.Agent(AgentId)));
        Assert.False(await db2.HashExistsAsync(RedisKeys.Reports(Id), AgentId));
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
