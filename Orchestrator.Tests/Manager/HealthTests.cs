using System.Net;
using System.Net.Http.Json;
using Orchestrator.Protocol;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Manager;

[Trait(TestLevel.Name, TestLevel.Api)]
public class HealthTests
{
    [Fact]
    public async Task HealthIsUnavailableWhileRedisIsDownAndStatusSaysRedisIsUnreachable()
    {
        await using var redis = new RedisHost();
        await redis.StartAsync();
        await using var manager = new ManagerFactory(redis);
        using var admin = await manager.CreateAdminClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/health")).StatusCode);

        redis.Stop();
        await Deadline.UntilAsync(async () => (await admin.GetAsync("/health")).StatusCode == HttpStatusCode.ServiceUnavailable,
            TimeSpan.FromSeconds(30), "/health to report 503 with Redis down");
        var status = await Deadline.PollAsync(async () =>
        {
            var response = await admin.GetAsync("/api/v1/cluster/status");
            return response.StatusCode == HttpStatusCode.OK ? await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.ClusterStatusResponse) : null;
        }, TimeSpan.FromSeconds(30), "status to answer with Redis down");
        Assert.False(status.RedisReachable);

        await redis.StartAsync();
        await Deadline.UntilAsync(async () => (await admin.GetAsync("/health")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "/health to recover once Redis is back");
    }
}
