using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orchestrator.Manager.Apis;
using Orchestrator.Tests.Abuse;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Scheduling;

// A stopping manager ends held long-polls at once and tells each node when to come back, spread over a few
// seconds, so a restart is not met by the whole fleet in one second. Its own manager: the test stops it.
[Trait(TestLevel.Name, TestLevel.Api)]
public sealed class StoppingLongPollTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task AHeldLongPollIsAnsweredAtOnceWithARetryAfterWhenTheManagerStops()
    {
        await using var manager = new ManagerFactory(redis.Redis);
        using var admin = await manager.CreateAdminClientAsync();
        var id = await admin.RegisterAsync(SchedulingClient.UniqueType(), "1", 5);
        var quiet = await admin.GetAssignmentsAsync(id);
        Assert.Null(quiet.RetryAfter);

        using var held = new HeldGauge(manager.Services.GetRequiredService<IMeterFactory>());
        var poll = admin.GetAssignmentsAsync(id, $"?since={quiet.Generation}&wait=30");
        await Deadline.UntilAsync(() => Task.FromResult(held.Read() == 1), TimeSpan.FromSeconds(10), "the poll to be held");
        manager.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var answer = await poll.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(quiet.Generation, answer.Generation);
        Assert.InRange(answer.RetryAfter ?? 0, 1, AssignmentsApi.StoppingRetryAfterSpread);
    }
}
