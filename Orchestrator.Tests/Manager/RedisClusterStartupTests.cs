using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Tests.Manager;

// Issue 15's first step: on a three-master Redis Cluster the manager starts (layout migration, totals
// check, liveness lease and sweep) and serves what touches one slot at a time. Registration and the
// other scripts over the global indexes still span slots until those indexes are sharded (issue 15).
[Trait(TestLevel.Name, TestLevel.Api)]
public sealed class RedisClusterStartupTests : IAsyncLifetime
{
    private static readonly RedisHostOptions ClusterNode = new() { ClusterNode = true, AppendOnly = false };
    private readonly RedisHost[] _masters = [new(ClusterNode), new(ClusterNode), new(ClusterNode)];

    private string ConnectionString => string.Join(",", _masters.Select(m => m.ConnectionString));

    public async Task InitializeAsync()
    {
        foreach (var master in _masters) await master.StartAsync();
        await _masters[0].CliAsync(["--cluster", "create", .. _masters.Select(m => m.ConnectionString), "--cluster-replicas", "0", "--cluster-yes"]);
        await using var connection = await ConnectionMultiplexer.ConnectAsync(ConnectionString);
        await Deadline.UntilAsync(async () =>
        {
            foreach (var master in _masters)
            {
                var info = (string?)await connection.GetServer(master.ConnectionString).ExecuteAsync("CLUSTER", "INFO");
                if (info?.Contains("cluster_state:ok", StringComparison.Ordinal) != true) return false;
            }
            return true;
        }, TimeSpan.FromSeconds(30), "every master to report cluster_state:ok");
    }

    public async Task DisposeAsync()
    {
        foreach (var master in _masters) await master.DisposeAsync();
    }

    [Fact]
    public async Task TheManagerStartsOnAThreeMasterRedisClusterAndItsLivenessPassesSucceed()
    {
        await using var manager = new ManagerFactory(_masters[0], new() { ["ConnectionStrings:redis"] = ConnectionString });
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
}
