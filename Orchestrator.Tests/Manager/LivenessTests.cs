using Microsoft.Extensions.Time.Testing;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Redis;
using Orchestrator.Tests.Infrastructure;
using StackExchange.Redis;

namespace Orchestrator.Tests.Manager;

// The liveness rule driven by FakeTimeProvider against a real redis-server and a real three-master Redis
// Cluster (one subclass per engine): no timers, no sleeps.
[Trait(TestLevel.Name, TestLevel.Api)]
public sealed class LivenessOnSingleRedisTests(SingleRedisFixture redis) : LivenessTests<SingleRedisFixture>(redis);

[Trait(TestLevel.Name, TestLevel.Api)]
public sealed class LivenessOnRedisClusterTests(RedisClusterFixture redis) : LivenessTests<RedisClusterFixture>(redis);

public abstract class LivenessTests<TEngine>(TEngine redis) : IClassFixture<TEngine>, IAsyncLifetime where TEngine : RedisEngineFixture
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private ConnectionMultiplexer _connection = null!;
    private ContainerStore _store = null!;
    private LivenessSweeper _sweeper = null!;

    public async Task InitializeAsync()
    {
        _connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        _store = new ContainerStore(_connection, _time);
        _sweeper = new LivenessSweeper(_connection, _time,
            Microsoft.Extensions.Options.Options.Create(new ManagerOptions { HeartbeatInterval = Interval }));
    }

    public async Task DisposeAsync() => await _connection.DisposeAsync();

    private async Task<string> RegisterAsync() => (await _store.RegisterAsync(new ContainerRegistration(
        Registrations.UniqueName(), "127.0.0.1", 8001, ["agent_runner"], "{}", "{}", 10))).ContainerId;

    private async Task<string?> StatusAfterSweepAsync(string id)
    {
        await _sweeper.SweepAsync();
        return (await _store.GetAsync(id))?.Status;
    }

    [Fact]
    public async Task ContainerStaysHealthyUpToTwoMissedIntervals()
    {
        var id = await RegisterAsync();
        _time.Advance(Interval * 2);
        Assert.Equal("healthy", await StatusAfterSweepAsync(id));
    }

    [Fact]
    public async Task ContainerTurnsUnhealthyAfterTwoMissedIntervalsThenLostAfterThree()
    {
        var id = await RegisterAsync();
        _time.Advance(Interval * 2 + TimeSpan.FromMilliseconds(1));
        Assert.Equal("unhealthy", await StatusAfterSweepAsync(id));
        _time.Advance(Interval - TimeSpan.FromMilliseconds(2));
        Assert.Equal("unhealthy", await StatusAfterSweepAsync(id));
        _time.Advance(TimeSpan.FromMilliseconds(2));
        Assert.Equal("lost", await StatusAfterSweepAsync(id));
    }

    [Fact]
    public async Task SweepReportsEachTransitionOnce()
    {
        var id = await RegisterAsync();
        _time.Advance(Interval * 3 + TimeSpan.FromSeconds(1));
        Assert.Contains(new StatusChange(id, "lost"), await _sweeper.SweepAsync());
        Assert.DoesNotContain(await _sweeper.SweepAsync(), c => c.ContainerId == id);
    }

    [Fact]
    public async Task NextHeartbeatTurnsAnUnhealthyOrLostContainerHealthyAgain()
    {
        var id = await RegisterAsync();
        _time.Advance(Interval * 4);
        Assert.Equal("lost", await StatusAfterSweepAsync(id));

        var result = await _store.HeartbeatAsync(id, new HeartbeatReport(90, 1, "{}", null), requiredName: null);
        Assert.Equal(HeartbeatOutcome.Accepted, result.Outcome);
        Assert.Equal("lost", result.StatusBefore);
        Assert.Equal("healthy", await StatusAfterSweepAsync(id));

        _time.Advance(Interval * 2 + TimeSpan.FromSeconds(1));
        Assert.Equal("unhealthy", await StatusAfterSweepAsync(id));
    }

    [Fact]
    public async Task HeartbeatsEveryIntervalKeepAContainerHealthy()
    {
        var id = await RegisterAsync();
        for (var i = 0; i < 5; i++)
        {
            _time.Advance(Interval);
            await _store.HeartbeatAsync(id, new HeartbeatReport(90, 0, "{}", null), requiredName: null);
            Assert.Equal("healthy", await StatusAfterSweepAsync(id));
        }
    }

    [Fact]
    public async Task OnlyOneReplicaHoldsTheLivenessLeaseUntilItIsReleased()
    {
        var first = new LeaderLease(_connection, "replica-a");
        var second = new LeaderLease(_connection, "replica-b");
        await first.ReleaseAsync();
        await second.ReleaseAsync();

        Assert.True(await first.TryAcquireAsync(TimeSpan.FromSeconds(30)));
        Assert.False(await second.TryAcquireAsync(TimeSpan.FromSeconds(30)));
        Assert.True(await first.TryAcquireAsync(TimeSpan.FromSeconds(30)), "the holder renews its own lease");

        await first.ReleaseAsync();
        Assert.True(await second.TryAcquireAsync(TimeSpan.FromSeconds(30)));
        Assert.False(await first.TryAcquireAsync(TimeSpan.FromSeconds(30)));
        await second.ReleaseAsync();
    }

    [Fact]
    public async Task AnExpiredLeaseIsTakenOverByAnotherReplica()
    {
        var first = new LeaderLease(_connection, "replica-c");
        var second = new LeaderLease(_connection, "replica-d");
        await new LeaderLease(_connection, "replica-a").ReleaseAsync();
        await new LeaderLease(_connection, "replica-b").ReleaseAsync();
        Assert.True(await first.TryAcquireAsync(TimeSpan.FromMilliseconds(200)));
        // The TTL runs on Redis's own clock, so this waits (with a deadline) for the real expiry.
        await Deadline.UntilAsync(() => second.TryAcquireAsync(TimeSpan.FromSeconds(30)), TimeSpan.FromSeconds(5), "the lease to expire");
        await second.ReleaseAsync();
    }
}
