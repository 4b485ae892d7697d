using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Tests.Manager;

// A Redis written before the keys had hash tags (layout 1) is migrated once when a manager starts:
// containers, their desired agents and the totals come through, and every later write uses the new names.
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
            await WriteLayoutOneAsync(connection.GetDatabase());

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
        Assert.True(await db.KeyExistsAsync("orchestrator:container:{" + Id + "}"));
        Assert.True(await db.KeyExistsAsync("orchestrator:container:{" + Id + "}:desired"));
        Assert.Equal(RedisKeys.LayoutVersion, (int)await db.StringGetAsync(RedisKeys.Layout));

        // The same container heartbeats into its migrated hash, and removing its agent frees its slot.
        (await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{Id}/heartbeat", Registrations.Heartbeat(Id, activeAgents: 1))).EnsureSuccessStatusCode();
        (await admin.DeleteAsync($"/api/v1/cluster/agents/{AgentId}")).EnsureSuccessStatusCode();
        container = await admin.GetJsonAsync($"/api/v1/cluster/containers/{Id}");
        Assert.Equal(0, container.GetProperty("assigned_agents").GetInt32());
        Assert.Equal("healthy", container.GetProperty("status").GetString());

        // Once: the layout mark stops a second pass (here a second replica starting) from touching anything.
        Assert.Equal(0, await manager.Services.GetRequiredService<RedisLayout>().MigrateAsync());
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
        Assert.False(await db.KeyExistsAsync(RedisKeys.Legacy.Container(id)));
    }

    // What the manager wrote for one registered container with one placed agent, before hash tags.
    private static async Task WriteLayoutOneAsync(IDatabase db)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var assignment = $$"""{"agent_id":"{{AgentId}}","agent_type":"trading","agent_config":{},"epoch":1,"on_cluster_loss":"keep"}""";
        await db.HashSetAsync("orchestrator:container:" + Id,
        [
            new("id", Id), new("name", Name), new("host", "127.0.0.1"), new("port", 8001),
            new("capabilities", """["agent_runner","orchestrator_cluster"]"""), new("resources", "{}"), new("metadata", """{"orchestrator_id":"1"}"""),
            new("max_agents", 10), new("status", "healthy"), new("registered_at", now), new("last_heartbeat", now), new("health_score", 100),
            new("active_agents", 0), new("assigned_agents", 1), new("generation", 1),
        ]);
        await db.HashSetAsync("orchestrator:container:" + Id + ":desired", AgentId, assignment);
        await db.SetAddAsync("orchestrator:containers", Id);
        await db.HashSetAsync("orchestrator:containers:by-name", Name, Id);
        await db.SortedSetAddAsync("orchestrator:containers:by-heartbeat", Id, now);
        await db.HashSetAsync("orchestrator:containers:totals", [new("count:healthy", 1), new("max:healthy", 10)]);
        await db.HashSetAsync("orchestrator:agent:" + AgentId,
        [
            new("id", AgentId), new("type", "trading"), new("config", "{}"), new("container", Id), new("orchestrator", "1"),
            new("epoch", 1), new("policy", "keep"), new("deployment", "dep-0ld"), new("created_at", now), new("assignment", assignment),
        ]);
        await db.SetAddAsync("orchestrator:agents", AgentId);
    }
}
