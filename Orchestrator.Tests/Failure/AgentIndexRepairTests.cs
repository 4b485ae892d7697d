using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Recovery;
using Orchestrator.Manager.Redis;
using Orchestrator.Protocol;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;
using StackExchange.Redis;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Orchestrator.Tests.Failure;

// A manager that dies between committing a deploy's share and indexing its agents leaves agents that run but
// are not listed. The liveness leader's repair lists them, once their deploy cannot still be under way, and
// never lists an agent its container no longer holds. On both engines (agent hash and index share one slot).
[Trait(TestLevel.Name, TestLevel.Api)]
public sealed class AgentIndexRepairOnSingleRedisTests(SingleRedisFixture redis) : AgentIndexRepairTests<SingleRedisFixture>(redis);

[Trait(TestLevel.Name, TestLevel.Api)]
public sealed class AgentIndexRepairOnRedisClusterTests(RedisClusterFixture redis) : AgentIndexRepairTests<RedisClusterFixture>(redis);

public abstract class AgentIndexRepairTests<TEngine>(TEngine redis) : IClassFixture<TEngine> where TEngine : RedisEngineFixture
{
    [Fact]
    public async Task AnAgentCommittedButNeverIndexedIsListedOnceItsDeployCannotStillBeUnderWay()
    {
        await using var world = await World.StartAsync(redis);
        var (time, connection, agents, options, repair, type, id) = world;
        string NewAgentId() => "agt-" + Guid.NewGuid().ToString("N")[..16];
        var (orphan, removed) = (NewAgentId(), NewAgentId());
        PlannedReplica Replica(string agent) => new(id, agent, "o", $$"""{"agent_id":"{{agent}}","agent_type":"{{type}}"}""");

        // A deploy's steps up to its commit, as a manager that died before indexing left them; the second agent
        // is then taken off its container (its hash stays: the removal's last step never ran either).
        await agents.WriteAgentsAsync(new AgentPlacement("dep-1", type, "{}", ClusterLossPolicies.Keep, null, null),
            [Replica(orphan), Replica(removed)]);
        Assert.Equal(PlaceOutcome.Placed, await agents.CommitAsync(id, "", [Replica(orphan), Replica(removed)], []));
        Assert.Equal("ok", await agents.RemoveFromContainerAsync(id, removed));
        async Task<bool> ListedAsync(string agent) => await connection.GetDatabase().SetContainsAsync(RedisKeys.AgentIdsOf(agent), agent);

        // Young enough that its deploy may still be indexing it: left alone.
        Assert.Equal(0, await repair.PassAsync(force: true));
        Assert.False(await ListedAsync(orphan));

        time.Advance(options.Value.ReservationTimeout * 2 + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await repair.PassAsync(force: true));

        Assert.True(await ListedAsync(orphan));
        Assert.False(await ListedAsync(removed));
        Assert.Equal(0, await repair.PassAsync(force: true));
    }

    [Fact]
    public async Task TheRepairRunsAtMostOncePerPeriodUnlessForced()
    {
        await using var world = await World.StartAsync(redis);
        var (time, connection, agents, options, repair, type, id) = world;
        Assert.Equal(0, await repair.PassAsync()); // the first pass runs (nothing to list yet)

        var agent = "agt-" + Guid.NewGuid().ToString("N")[..16];
        var replica = new PlannedReplica(id, agent, "o", $$"""{"agent_id":"{{agent}}"}""");
        await agents.WriteAgentsAsync(new AgentPlacement("dep-2", type, "{}", ClusterLossPolicies.Keep, null, null), [replica]);
        Assert.Equal(PlaceOutcome.Placed, await agents.CommitAsync(id, "", [replica], []));
        time.Advance(options.Value.ReservationTimeout * 2 + TimeSpan.FromSeconds(1));

        Assert.Equal(0, await repair.PassAsync()); // within the period: skipped
        time.Advance(AgentIndexRepair.RepairEvery);
        Assert.Equal(1, await repair.PassAsync());
    }

    // A repair over one real Redis with one registered container, on a clock that moves only when told.
    private sealed record World(FakeTimeProvider Time, ConnectionMultiplexer Connection, AgentStore Agents,
        Microsoft.Extensions.Options.IOptions<SchedulingOptions> Options, AgentIndexRepair Repair, string Type, string ContainerId) : IAsyncDisposable
    {
        public static async Task<World> StartAsync(TEngine redis)
        {
            var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
            var containers = new ContainerStore(connection, time);
            var options = MsOptions.Create(new SchedulingOptions());
            var repair = new AgentIndexRepair(containers, connection, time, options, NullLogger<AgentIndexRepair>.Instance);
            var type = SchedulingClient.UniqueType();
            var id = (await containers.RegisterAsync(new ContainerRegistration(Registrations.UniqueName(), "127.0.0.1", 8001, [type], "{}",
                """{"orchestrator_id":"o"}""", 5))).ContainerId;
            return new World(time, connection, new AgentStore(connection, time), options, repair, type, id);
        }

        public ValueTask DisposeAsync() => Connection.DisposeAsync();
    }
}
