using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Redis;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Scheduling;
using Orchestrator.Manager.Tenants;
using Orchestrator.Protocol;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Tests.Manager;
using StackExchange.Redis;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Orchestrator.Tests.Scheduling;

// Capacity by resources (issue 24): container agents' resources.cpus and memory_mb are reserved in the same
// Reserve/Commit scripts that hold max_agents, against each node's registered cpu_count and memory_limit. Two
// manager replicas with their own snapshots place 100 parallel deploys (single and spanning several nodes, so
// both the reservation and the direct commit path run); no node ever holds more than it has. On both engines:
// on the Redis Cluster every node sits in its own slot.
[Trait(TestLevel.Name, TestLevel.Api)]
public sealed class ResourceCapacityOnSingleRedisTests(SingleRedisFixture redis) : ResourceCapacityTests<SingleRedisFixture>(redis);

[Trait(TestLevel.Name, TestLevel.Api)]
public sealed class ResourceCapacityOnRedisClusterTests(RedisClusterFixture redis) : ResourceCapacityTests<RedisClusterFixture>(redis);

public abstract class ResourceCapacityTests<TEngine>(TEngine redis) : IClassFixture<TEngine>, IAsyncLifetime where TEngine : RedisEngineFixture
{
    private const long TwoGiB = 2147483648;
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

    [Fact]
    public async Task A_hundred_parallel_deploys_from_two_replicas_never_reserve_more_cpus_than_a_node_registered()
    {
        var type = SchedulingClient.UniqueType();
        var shards = new HashSet<int>();
        // 2 CPUs each: room for four agents of 0.5 CPUs, though max_agents would take 50 and memory six.
        var nodes = new[] { await RegisterAsync(NameInAnotherShard(shards), type, 2), await RegisterAsync(NameInAnotherShard(shards), type, 2),
            await RegisterAsync(NameInAnotherShard(shards), type, 2) };
        var (first, second) = (Replica(), Replica());

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            (i % 2 == 0 ? first : second).DeployAsync(Deploy(type, 1 + i % 2, cpus: 0.5, memoryMb: 300))));

        var placed = outcomes.OfType<DeployOutcome.Placed>().Sum(p => p.Response.Agents.Count);
        Assert.All(outcomes.Where(o => o is not DeployOutcome.Placed), o => Assert.Equal("cpus", Assert.IsType<DeployOutcome.NoResources>(o).Resource));
        Assert.InRange(placed, 11, 12);
        var desired = 0L;
        foreach (var node in nodes)
        {
            var (cpu, memory, count) = await ReservedAsync(node);
            Assert.InRange(cpu, 0, 2000);
            Assert.Equal(500 * count, cpu);
            Assert.Equal(300 * count, memory);
            desired += count;
        }
        Assert.Equal(placed, desired);
    }

    [Fact]
    public async Task A_node_without_memory_left_refuses_naming_memory_and_a_deleted_agent_gives_its_resources_back()
    {
        var type = SchedulingClient.UniqueType();
        var node = await RegisterAsync(Registrations.UniqueName(), type, 8);
        var scheduler = Replica();

        // 2048 MB: three agents of 600 MB fit, the fourth does not, though CPUs would take eight.
        var placed = new List<DeployOutcome>();
        for (var i = 0; i < 3; i++) placed.Add(await scheduler.DeployAsync(Deploy(type, 1, cpus: 1, memoryMb: 600)));
        var refused = await scheduler.DeployAsync(Deploy(type, 1, cpus: 1, memoryMb: 600));

        Assert.All(placed, o => Assert.IsType<DeployOutcome.Placed>(o));
        Assert.Equal("memory_mb", Assert.IsType<DeployOutcome.NoResources>(refused).Resource);
        Assert.Equal((3000L, 1800L, 3L), await ReservedAsync(node));

        var agent = ((DeployOutcome.Placed)placed[0]).Response.Agents[0].AgentId;
        Assert.Equal(node, await _agents.RemoveAsync(agent));
        Assert.Equal((2000L, 1200L, 2L), await ReservedAsync(node));
        _time.Advance(TimeSpan.FromSeconds(11)); // past the snapshot's max age: plan from what Redis holds now
        Assert.IsType<DeployOutcome.Placed>(await scheduler.DeployAsync(Deploy(type, 1, cpus: 1, memoryMb: 600)));
    }

    // One manager replica's scheduler: its own snapshot, the shared Redis.
    private AgentScheduler Replica()
    {
        var options = MsOptions.Create(new SchedulingOptions { CandidateMaxAge = TimeSpan.FromSeconds(10) });
        var fleet = new PlacementCandidates(_containers, _time, options);
        var placer = new AgentPlacer(_agents, options, NullLogger<AgentPlacer>.Instance);
        var meters = _metrics.GetRequiredService<IMeterFactory>();
        return new AgentScheduler(fleet, placer, _agents, new SchedulingTelemetry(meters),
            new TenantQuotaCheck(new TenantQuotas(_connection), new TenantQuotaGate(_connection, options)));
    }

    private static string NameInAnotherShard(HashSet<int> taken)
    {
        while (true)
        {
            var name = Registrations.UniqueName();
            if (taken.Add(ContainerShards.Of(name))) return name;
        }
    }

    private async Task<string> RegisterAsync(string name, string capability, int cpuCount) =>
        (await _containers.RegisterAsync(new ContainerRegistration(name, "127.0.0.1", 8001, [capability],
            $$"""{"cpu_count":{{cpuCount}},"memory_limit":{{TwoGiB}}}""", """{"orchestrator_id":"r"}""", 50))).ContainerId;

    // A container agent asking for cpus and memoryMb, placed where `type` (the test's own capability) is offered.
    private static DeployCommand Deploy(string type, int replicas, double cpus, int memoryMb)
    {
        var config = string.Create(CultureInfo.InvariantCulture,
            $$$"""{"image":"127.0.0.1:5000/bots/test:1","resources":{"cpus":{{{cpus}}},"memory_mb":{{{memoryMb}}}}}""");
        return new DeployCommand(ContainerAgentConfig.AgentType, config, LoadStrategy.LeastLoaded, replicas, [type], null,
            new Dictionary<string, string>(), ClusterLossPolicies.Keep, null)
        {
            Demand = ContainerAgentConfig.DemandOf(System.Text.Json.JsonDocument.Parse(config).RootElement),
        };
    }

    private async Task<(long CpuMillis, long MemoryMb, long Agents)> ReservedAsync(string node)
    {
        var db = _connection.GetDatabase();
        var values = await db.HashGetAsync(RedisKeys.Container(node), [ContainerFields.ReservedCpuMillis, ContainerFields.ReservedMemoryMb]);
        return ((long?)values[0] ?? 0, (long?)values[1] ?? 0, await db.HashLengthAsync(RedisKeys.DesiredAgents(node)));
    }
}
