using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Redis;
using Orchestrator.Manager.Scheduling;
using Orchestrator.Manager.Tenants;
using Orchestrator.Protocol;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Tenants;
using StackExchange.Redis;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Orchestrator.Tests.Scheduling;

// Placement plans from a fleet snapshot that may be stale; these tests make it stale on purpose (the truth in
// Redis changes after two manager replicas read their snapshots) and prove the per-container scripts still
// refuse every container that became full, unhealthy or lost the capability, under 200 parallel deploys.
// On both engines: on the three-master Redis Cluster every container sits in its own slot, so a deploy's
// replicas are reserved and committed by one script per slot (AgentPlacer).
[Trait(TestLevel.Name, TestLevel.Api)]
public sealed class PlacementCandidateOnSingleRedisTests(SingleRedisFixture redis) : PlacementCandidateTests<SingleRedisFixture>(redis);

[Trait(TestLevel.Name, TestLevel.Api)]
public sealed class PlacementCandidateOnRedisClusterTests(RedisClusterFixture redis) : PlacementCandidateTests<RedisClusterFixture>(redis);

public abstract class PlacementCandidateTests<TEngine>(TEngine redis) : IClassFixture<TEngine>, IAsyncLifetime where TEngine : RedisEngineFixture
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private ConnectionMultiplexer _connection = null!;
    private ContainerStore _containers = null!;
    private AgentStore _agents = null!;
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();

    public async Task InitializeAsync()
    {
        _connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        _containers = new ContainerStore(_connection, _time);
        _agents = new AgentStore(_connection, _time);
    }

    public async Task DisposeAsync()
    {
        await _connection.DisposeAsync();
        await _metrics.DisposeAsync();
    }

    // One manager replica's scheduler: its own snapshot, the shared Redis.
    private (AgentScheduler Scheduler, PlacementCandidates Fleet) Replica()
    {
        var options = MsOptions.Create(new SchedulingOptions { CandidateMaxAge = TimeSpan.FromSeconds(10) });
        var fleet = new PlacementCandidates(_containers, _time, options);
        var placer = new AgentPlacer(_agents, options, NullLogger<AgentPlacer>.Instance);
        var meters = _metrics.GetRequiredService<IMeterFactory>();
        return (new AgentScheduler(fleet, placer, _agents, new SchedulingTelemetry(meters), new TenantQuotaCheck(new TenantQuotas(_connection), new TenantQuotaGate(_connection, options))), fleet);
    }

    // A fresh name whose container falls in a shard (so a slot) none of `taken` uses.
    private static string NameInAnotherShard(HashSet<int> taken)
    {
        while (true)
        {
            var name = Registrations.UniqueName();
            if (taken.Add(ContainerShards.Of(name))) return name;
        }
    }

    private async Task<string> RegisterAsync(string name, string capability, string orchestrator, int max) =>
        (await _containers.RegisterAsync(new ContainerRegistration(name, "127.0.0.1", 8001, [capability], "{}",
            $$"""{"orchestrator_id":"{{orchestrator}}"}""", max))).ContainerId;

    private static DeployCommand Deploy(string type, int replicas, IPlacementStrategy strategy, string? orchestrator = null) =>
        new(type, "{}", strategy, replicas, [type], orchestrator, new Dictionary<string, string>(), ClusterLossPolicies.Keep, null);

    private async Task<int> AssignedAsync(string id) => (await _containers.GetAsync(id))!.AssignedAgents;

    private async Task<long> DesiredCountAsync(string id) => await _connection.GetDatabase().HashLengthAsync(RedisKeys.DesiredAgents(id));

    [Fact]
    public async Task TheSnapshotForReadsShowsThisReplicasOwnWriteAtOnceAndAnotherReplicasOnceItIsOlderThanItsMaxAge()
    {
        var maxAge = TimeSpan.FromSeconds(1);
        var options = MsOptions.Create(new SchedulingOptions { CandidateMaxAge = maxAge });
        var (mine, theirs) = (new FleetChanges(), new FleetChanges());
        var fleet = new PlacementCandidates(new ContainerStore(_connection, _time, mine), _time, options, mine);
        var myAgents = new AgentStore(_connection, _time, mine);
        var theirAgents = new AgentStore(_connection, _time, theirs);
        var id = await RegisterAsync(Registrations.UniqueName(), SchedulingClient.UniqueType(), "o", 5);
        PlannedReplica Replica(string agent) => new(id, agent, "o", $$"""{"agent_id":"{{agent}}"}""");
        async Task<int> AssignedInSnapshotAsync() => (await fleet.GetAfterOwnWritesAsync()).ById[id].Assigned;

        // The first read finds no snapshot and reads one: it shows what any replica wrote before.
        Assert.Equal(PlaceOutcome.Placed, await theirAgents.CommitAsync(id, "", [Replica("agt-theirs-1")], []));
        Assert.Equal(1, await AssignedInSnapshotAsync());

        // Another replica's write behind the snapshot: not shown until the snapshot is older than its max age.
        Assert.Equal(PlaceOutcome.Placed, await theirAgents.CommitAsync(id, "", [Replica("agt-theirs-2")], []));
        Assert.Equal(1, await AssignedInSnapshotAsync());
        _time.Advance(maxAge + TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, await AssignedInSnapshotAsync());

        // This replica's own write: shown at once, the clock standing still.
        Assert.Equal(PlaceOutcome.Placed, await myAgents.CommitAsync(id, "", [Replica("agt-mine")], []));
        Assert.Equal(3, await AssignedInSnapshotAsync());
    }

    [Fact]
    public async Task TwentySequentialLeastLoadedDeploysOverFourEmptyContainersPlaceFiveOnEachWhileTheSnapshotIsStale()
    {
        // Issue 30 item 7: a replica's own placements count in its next plan at once. The snapshot never ages out
        // (CandidateMaxAge 10 s, the clock standing still), and a re-read of the fleet starts just before each deploy
        // (as the background refresh does), so it reads Redis before that deploy commits and becomes the snapshot
        // the next deploy plans from: that plan must still count what this replica placed.
        var type = SchedulingClient.UniqueType();
        var shards = new HashSet<int>();
        string[] containers = [.. await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => RegisterAsync(NameInAnotherShard(shards), type, "ll", 10)))];
        var (scheduler, fleet) = Replica();
        await fleet.GetAsync();

        for (var i = 0; i < 20; i++)
        {
            _ = fleet.GetAsync(readAfter: fleet.Mark());
            Assert.IsType<DeployOutcome.Placed>(await scheduler.DeployAsync(Deploy(type, 1, LoadStrategy.LeastLoaded)));
        }

        foreach (var id in containers) Assert.Equal(5, await AssignedAsync(id));
    }

    [Fact]
    public async Task TwoHundredParallelDeploysFromTwoReplicasNeverPlaceOnAFullUnhealthyOrIncapableContainer()
    {
        var type = SchedulingClient.UniqueType();
        var unhealthy = await RegisterAsync(Registrations.UniqueName(), type, "u", 50);
        _time.Advance(Interval * 2 + TimeSpan.FromSeconds(1));
        var shards = new HashSet<int>();
        var a = await RegisterAsync(NameInAnotherShard(shards), type, "a", 10);
        var b = await RegisterAsync(NameInAnotherShard(shards), type, "b", 7);
        var c = await RegisterAsync(NameInAnotherShard(shards), type, "c", 5);
        var incapableName = Registrations.UniqueName();
        var incapable = await RegisterAsync(incapableName, type, "x", 50);
        var fullName = Registrations.UniqueName();
        var full = await RegisterAsync(fullName, type, "f", 50);

        var (first, firstFleet) = Replica();
        var (second, secondFleet) = Replica();
        Assert.IsType<DeployOutcome.Placed>(await first.DeployAsync(Deploy(type, 2, LoadStrategy.LeastLoaded, "f")));
        var seen = await Task.WhenAll(firstFleet.GetAsync(), secondFleet.GetAsync());

        // Behind both snapshots: the liveness sweep turns one unhealthy, one re-registers without the capability,
        // one restarts with max_agents equal to what it already runs.
        await new LivenessSweeper(_connection, _time, MsOptions.Create(new ManagerOptions { HeartbeatInterval = Interval })).SweepAsync();
        Assert.Equal(ContainerStatus.Unhealthy, (await _containers.GetAsync(unhealthy))!.Status);
        await RegisterAsync(incapableName, "some_other_capability", "x", 50);
        await RegisterAsync(fullName, type, "f", 2);
        Assert.All(seen, s => Assert.Equal(ContainerStatus.Healthy, s.ById[unhealthy].Status));
        Assert.All(seen, s => Assert.Contains(type, s.ById[incapable].Capabilities));

        // The stale containers look the least loaded (50 free), so least_loaded and spread plan onto them first.
        IPlacementStrategy[] strategies = [LoadStrategy.LeastLoaded, LoadStrategy.BinPack, new SpreadStrategy(), new RoundRobinStrategy()];
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() =>
            (i % 2 == 0 ? first : second).DeployAsync(Deploy(type, 1 + i % 3, strategies[i % strategies.Length])))));

        Assert.All(outcomes, o => Assert.True(o is DeployOutcome.Placed or DeployOutcome.NoCapacity, o.ToString()));
        var placed = outcomes.OfType<DeployOutcome.Placed>().SelectMany(p => p.Response.Agents).ToList();
        Assert.All(placed, agent => Assert.Contains(agent.ContainerId, new[] { a, b, c }));
        Assert.Equal(0, await AssignedAsync(unhealthy));
        Assert.Equal(0, await AssignedAsync(incapable));
        Assert.Equal(2, await AssignedAsync(full));
        Assert.Equal(0L, await DesiredCountAsync(unhealthy));
        Assert.Equal(0L, await DesiredCountAsync(incapable));
        Assert.Equal(2L, await DesiredCountAsync(full));
        int[] max = [10, 7, 5];
        string[] open = [a, b, c];
        for (var i = 0; i < open.Length; i++)
        {
            Assert.InRange(await AssignedAsync(open[i]), 0, max[i]);
            Assert.Equal(await AssignedAsync(open[i]), await DesiredCountAsync(open[i]));
            Assert.Equal(placed.Count(p => p.ContainerId == open[i]), await AssignedAsync(open[i]));
        }
        // Nothing a refused deploy wrote is left behind: no reservation holding capacity, every placed agent indexed.
        Assert.InRange(placed.Count, 1, 22);
        var db = _connection.GetDatabase();
        foreach (var id in (string[])[a, b, c, unhealthy, incapable, full])
            Assert.False(await db.KeyExistsAsync(RedisKeys.Reservations(id)) && await db.HashLengthAsync(RedisKeys.Reservations(id)) > 0);
        foreach (var agent in placed) Assert.True(await db.SetContainsAsync(RedisKeys.AgentIdsOf(agent.AgentId), agent.AgentId));
    }

    [Fact]
    public async Task ParallelDeploysFromTwoReplicasNeverTakeATenantPastItsAgentQuota()
    {
        var type = SchedulingClient.UniqueType();
        var tenant = TenantClients.UniqueTenant("quota");
        await new TenantQuotas(_connection).SetAsync(tenant, new TenantQuota(MaxContainers: null, MaxAgents: 5));
        var shards = new HashSet<int>();
        string[] containers = [
            await RegisterAsync(NameInAnotherShard(shards), type, tenant, 20),
            await RegisterAsync(NameInAnotherShard(shards), type, tenant, 20),
            await RegisterAsync(NameInAnotherShard(shards), type, tenant, 20)];
        var (first, firstFleet) = Replica();
        var (second, secondFleet) = Replica();
        // Both replicas plan from snapshots read before any deploy: each alone would see room for five more.
        await Task.WhenAll(firstFleet.GetAsync(), secondFleet.GetAsync());

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() =>
            (i % 2 == 0 ? first : second).DeployAsync(Deploy(type, 1, LoadStrategy.LeastLoaded, tenant)))));

        Assert.All(outcomes, o => Assert.True(o is DeployOutcome.Placed or DeployOutcome.OverQuota, o.ToString()));
        Assert.Equal(5, outcomes.OfType<DeployOutcome.Placed>().Count());
        var assigned = 0;
        foreach (var id in containers) assigned += await AssignedAsync(id);
        Assert.Equal(5, assigned);
        // Every lease was let go: the tenant's next deploy is refused at once for its quota, not kept waiting.
        Assert.False(await _connection.GetDatabase().KeyExistsAsync(RedisKeys.TenantQuotaLease(TenantQuotaGate.Agents, tenant)));
    }

    [Fact]
    public async Task CapacityReservedByAManagerThatDiedComesBackWhenTheReservationExpires()
    {
        var type = SchedulingClient.UniqueType();
        var only = await RegisterAsync(Registrations.UniqueName(), type, "r", 2);
        var (scheduler, _) = Replica();

        // A manager reserved both slots for a deploy spanning containers, then died before committing.
        Assert.Equal(PlaceOutcome.Placed, await _agents.ReserveAsync(only, "dep-dead", 2, $"[\"{type}\"]", TimeSpan.FromSeconds(10)));

        Assert.IsType<DeployOutcome.NoCapacity>(await scheduler.DeployAsync(Deploy(type, 1, LoadStrategy.LeastLoaded)));
        _time.Advance(TimeSpan.FromSeconds(10));
        var placed = Assert.IsType<DeployOutcome.Placed>(await scheduler.DeployAsync(Deploy(type, 2, LoadStrategy.LeastLoaded)));
        Assert.Equal(2, placed.Response.Agents.Count);
        Assert.Equal(2, await AssignedAsync(only));
    }

    [Fact]
    public async Task ADeploySpanningContainersIsPlacedWholeOrNotAtAll()
    {
        var type = SchedulingClient.UniqueType();
        var roomy = await RegisterAsync(Registrations.UniqueName(), type, "p", 5);
        var smallName = Registrations.UniqueName();
        var small = await RegisterAsync(smallName, type, "q", 5);
        var (scheduler, fleet) = Replica();
        await fleet.GetAsync();
        // Behind the snapshot the small one shrinks: the plan's share on it must fail, and the roomy one's be undone.
        await RegisterAsync(smallName, type, "q", 0);

        var outcome = await scheduler.DeployAsync(Deploy(type, 6, LoadStrategy.LeastLoaded));

        Assert.IsType<DeployOutcome.NoCapacity>(outcome);
        Assert.Equal(0, await AssignedAsync(roomy));
        Assert.Equal(0, await AssignedAsync(small));
        Assert.Equal(0L, await DesiredCountAsync(roomy));
    }
}
