using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Redis;
using Orchestrator.Protocol;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Orchestrator.Tests.Manager;

// On a three-master Redis Cluster the manager starts (layout migration, liveness lease and sweep) and serves
// the container registry: each registration, heartbeat and sweep runs in one slot, its container's shard's,
// and the shards spread over every master.
[Trait(TestLevel.Name, TestLevel.Api)]
public sealed class RedisClusterStartupTests(ITestOutputHelper output) : IAsyncLifetime
{
    private RedisClusterHost _cluster = null!;

    public async Task InitializeAsync() => _cluster = await RedisClusterHost.StartAsync(new() { Masters = 3 });

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task TheManagerStartsOnAThreeMasterRedisClusterAndItsLivenessPassesSucceed()
    {
        await using var manager = new ManagerFactory(_cluster);
        using var admin = await manager.CreateAdminClientAsync();

        var health = await Deadline.PollAsync(async () =>
        {
            var response = await admin.GetAsync("/health");
            var body = await response.Content.ReadAsStringAsync();
            return response.StatusCode == HttpStatusCode.OK && body.Contains("leader: runs the liveness monitor", StringComparison.Ordinal) ? body : null;
        }, TimeSpan.FromSeconds(30), "/health to report the liveness leader's first pass done");
        Assert.DoesNotContain("last liveness pass failed", health, StringComparison.Ordinal);

        var status = await admin.GetJsonAsync("/api/v1/cluster/status");
        Assert.True(status.GetProperty("redis_reachable").GetBoolean());
        Assert.Equal(0, status.GetProperty("total_containers").GetInt32());
        var db = manager.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        Assert.Equal(RedisKeys.LayoutVersion, (int)await db.StringGetAsync(RedisKeys.Layout));

        // The login rate limit's script runs on one key: refused after the configured 3 failures.
        using var stranger = manager.CreateClient("203.0.113.9");
        HttpStatusCode last = default;
        for (var i = 0; i < 4; i++)
            last = (await stranger.PostAsJsonAsync("/api/v1/auth/token", new { username = "admin", password = "wrong" })).StatusCode;
        Assert.Equal(HttpStatusCode.TooManyRequests, last);
    }

    [Fact]
    public async Task ContainersRegisterHeartbeatAndTurnUnhealthyOnAClusterWithTheirShardsOnEveryMaster()
    {
        await using var manager = new ManagerFactory(_cluster);
        using var admin = await manager.CreateAdminClientAsync();
        var ids = new List<string>();
        for (var i = 0; i < 30; i++) ids.Add(await admin.RegisterIdAsync(Registrations.UniqueName()));
        foreach (var id in ids.Take(20))
            (await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/heartbeat", Registrations.Heartbeat(id, activeAgents: 1))).EnsureSuccessStatusCode();

        var masters = new HashSet<int>();
        foreach (var id in ids) masters.Add((await _cluster.MasterOfAsync(RedisKeys.Container(id).ToString())).Port);
        Assert.Equal(3, masters.Count);

        var status = await admin.GetStatusAsync();
        Assert.Equal(30, status.ContainersByStatus[ContainerStatus.Healthy]);
        Assert.Equal(20, status.AgentsInUse);

        // Two missed intervals later every container is unhealthy; the ten that heartbeat again are healthy.
        manager.Time.Advance(TimeSpan.FromSeconds(61));
        await Deadline.UntilAsync(async () => (await admin.GetStatusAsync()).ContainersByStatus.GetValueOrDefault(ContainerStatus.Unhealthy) == 30,
            TimeSpan.FromSeconds(30), "the liveness sweep over every shard to mark all 30 unhealthy");
        foreach (var id in ids.Skip(20))
            (await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/heartbeat", Registrations.Heartbeat(id))).EnsureSuccessStatusCode();
        status = await admin.GetStatusAsync();
        Assert.Equal(10, status.ContainersByStatus[ContainerStatus.Healthy]);
        Assert.Equal(20, status.ContainersByStatus[ContainerStatus.Unhealthy]);

        // Deleting, listing page by page and re-registering by name all work across shards.
        (await admin.DeleteAsync($"/api/v1/cluster/containers/{ids[0]}")).EnsureSuccessStatusCode();
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await admin.ListContainersAsync($"?limit=7{(cursor is null ? "" : "&cursor=" + cursor)}");
            seen.AddRange(page.Containers.Select(c => c.ContainerId));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        Assert.Equal(ids.Skip(1).Order(), seen.Order());
    }

    // The manager holds one pattern subscription on one node; a generation bump is published (plain PUBLISH,
    // as the scripts do) on the master that owns the container's slot, and Redis Cluster's bus carries it to
    // every node. Containers on each of the three masters, so at least two publish on another node than the
    // subscriber's. The manager's clock is frozen, so only the wake-up can answer the poll before its wait.
    [Fact]
    public async Task ALongPollIsWokenByAChangePublishedOnAnyMaster()
    {
        await using var manager = new ManagerFactory(_cluster);
        using var admin = await manager.CreateAdminClientAsync();
        var notifier = manager.Services.GetRequiredService<AssignmentNotifier>();
        var byMaster = new Dictionary<int, string>();
        while (byMaster.Count < 3)
        {
            var id = await admin.RegisterIdAsync(Registrations.UniqueName());
            byMaster.TryAdd((await _cluster.MasterOfAsync(RedisKeys.Container(id).ToString())).Port, id);
        }
        await using var writer = await ConnectionMultiplexer.ConnectAsync(_cluster.ConnectionString);

        foreach (var (port, id) in byMaster)
        {
            var generation = (await admin.GetAssignmentsAsync(id)).Generation;
            var poll = admin.GetAssignmentsAsync(id, $"?since={generation}&wait=30");
            await Deadline.UntilAsync(() => Task.FromResult(notifier.HeldCount == 1), TimeSpan.FromSeconds(10), "the long-poll to be held");

            var clock = Stopwatch.StartNew();
            var bumped = await writer.GetDatabase().HashIncrementAsync(RedisKeys.Container(id), "generation");
            await writer.GetDatabase().PublishAsync(RedisKeys.ContainerChanged(id), bumped);
            var answer = await poll.WaitAsync(TimeSpan.FromSeconds(10));
            output.WriteLine($"container on master :{port} woken {clock.Elapsed.TotalMilliseconds:0.0} ms after the publish");

            Assert.Equal(bumped, answer.Generation);
            await Deadline.UntilAsync(() => Task.FromResult(notifier.HeldCount == 0), TimeSpan.FromSeconds(10), "the poll to be released");
        }
    }

    // REDIS_URL names one node of a password-protected cluster, as a managed offering's configuration endpoint
    // would: the client discovers the other masters from it, and registrations land on every one of them.
    [Fact]
    public async Task ARedisUrlNamingOneNodeOfAPasswordProtectedClusterReachesEveryMaster()
    {
        const string password = "cluster-secret-0123";
        await using var secured = await RedisClusterHost.StartAsync(new() { Masters = 3, Password = password });
        await using var manager = new ManagerFactory("", new()
        {
            ["REDIS_URL"] = $"redis://:{password}@127.0.0.1:{secured.Nodes[1].Port}",
        });
        using var admin = await manager.CreateAdminClientAsync();

        var masters = new HashSet<int>();
        for (var i = 0; i < 30 && masters.Count < 3; i++)
        {
            var id = await admin.RegisterIdAsync(Registrations.UniqueName());
            masters.Add((await secured.MasterOfAsync(RedisKeys.Container(id).ToString())).Port);
        }

        Assert.Equal(3, masters.Count);
        Assert.True((await admin.GetStatusAsync()).TotalContainers >= 3);
    }
}
