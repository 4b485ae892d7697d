using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Recovery;
using Orchestrator.Protocol;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;

namespace Orchestrator.Tests.Tenants;

// Placement stays in the tenant: an operator's deploy lands only on its tenants' containers, and the rescheduler
// moves an agent only within its tenant, applying its stored labels and capabilities again. In-process manager on a
// fake clock (the liveness timer never fires: each test sweeps and reschedules by hand), against a real redis-server.
[Trait(TestLevel.Name, TestLevel.Api)]
public sealed class TenantPlacementTests : IAsyncLifetime
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly RedisHost _redis = new();
    private readonly string _a = TenantClients.UniqueTenant("a");
    private readonly string _b = TenantClients.UniqueTenant("b");
    private readonly string _type = SchedulingClient.UniqueType();
    private ManagerFactory _manager = null!;
    private HttpClient _admin = null!;
    private HttpClient _operatorA = null!;

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        _manager = new ManagerFactory(_redis, new() { ["Manager:LivenessCheckPeriod"] = "1.00:00:00" });
        _admin = await _manager.CreateAdminClientAsync();
        _operatorA = await _manager.CreateScopedClientAsync(_admin, "operator", _a);
    }

    [Fact]
    public async Task AnOperatorOfACannotPlaceOnB()
    {
        var onB = await RegisterAsync(_b, maxAgents: 10);

        // Nothing of A offers the type: the deploy is refused as if B did not exist.
        var unpinned = await _operatorA.DeployAsync(new { agent_type = _type });
        Assert.Equal(ProblemTypes.UnsupportedAgentType.Title, (await unpinned.AssertProblemAsync(422)).Title);
        foreach (var body in new object[]
        {
            new { agent_type = _type, constraints = new { orchestrator_id = _b } },
            new { agent_type = _type, agent_config = new { orchestrator_id = _b } },
        })
        {
            var problem = await (await _operatorA.DeployAsync(body)).AssertProblemAsync(404);
            Assert.Equal(ProblemTypes.UnknownTenant.Title, problem.Title);
            Assert.Contains("orchestrator_id", problem.Extension("field"));
        }
        Assert.Equal(0, await _admin.AssignedAsync(onB));
    }

    [Fact]
    public async Task AnOperatorsDeployLandsOnlyOnItsTenantsContainersEvenWhenAnotherTenantIsEmptier()
    {
        var onA = await RegisterAsync(_a, maxAgents: 10);
        await _admin.DeployOkAsync(new { agent_type = _type, constraints = new { orchestrator_id = _a } });
        var onB = await RegisterAsync(_b, maxAgents: 10);

        var deployed = await _operatorA.DeployOkAsync(new { agent_type = _type, replicas = 3, deployment_strategy = "spread" });
        Assert.All(deployed.Agents, a => Assert.Equal(onA, a.ContainerId));
        Assert.All(deployed.Agents, a => Assert.Equal(_a, a.OrchestratorId));
        Assert.Equal(0, await _admin.AssignedAsync(onB));

        // Full in A: 409 no capacity, though B has room.
        var full = await _operatorA.DeployAsync(new { agent_type = _type, replicas = 7 });
        Assert.Equal(ProblemTypes.NoCapacity.Title, (await full.AssertProblemAsync(409)).Title);
        Assert.Equal(0, await _admin.AssignedAsync(onB));
    }

    [Fact]
    public async Task AnAAgentWhoseContainerIsLostMovesOnlyOntoAContainerOfAWithItsLabelsAndCapabilities()
    {
        var lost = await RegisterAsync(_a, maxAgents: 5, zone: "eu", extra: "gpu");
        var movable = (await _operatorA.DeployOkAsync(new
        {
            agent_type = _type, on_cluster_loss = "reschedule",
            constraints = new { capabilities = new[] { "gpu" }, labels = new Dictionary<string, string> { ["zone"] = "eu" } },
        })).Agents[0].AgentId;
        var wrongZone = await RegisterAsync(_a, maxAgents: 5, zone: "us", extra: "gpu");
        var noGpu = await RegisterAsync(_a, maxAgents: 5, zone: "eu");
        var otherTenant = await RegisterAsync(_b, maxAgents: 5, zone: "eu", extra: "gpu");
        var fits = await RegisterAsync(_a, maxAgents: 5, zone: "eu", extra: "gpu");
        var beating = new[] { wrongZone, noGpu, otherTenant, fits };

        await LoseAsync(lost, beating);
        Assert.Equal(1, await _manager.Services.GetRequiredService<Rescheduler>().PassAsync());

        var moved = await _admin.GetAgentAsync(movable);
        Assert.Equal(fits, moved.ContainerId);
        Assert.Equal(_a, moved.OrchestratorId);
        Assert.Equal(2, moved.Epoch);
        foreach (var other in new[] { wrongZone, noGpu, otherTenant }) Assert.Equal(0, await _admin.AssignedAsync(other));
    }

    [Fact]
    public async Task WithNoRoomInItsTenantALostAgentWaitsAndMovesOnceItsTenantHasRoom()
    {
        var lost = await RegisterAsync(_a, maxAgents: 5);
        var movable = (await _operatorA.DeployOkAsync(new { agent_type = _type, on_cluster_loss = "reschedule" })).Agents[0].AgentId;
        var roomyB = await RegisterAsync(_b, maxAgents: 50);
        var rescheduler = _manager.Services.GetRequiredService<Rescheduler>();

        await LoseAsync(lost, [roomyB]);
        Assert.Equal(0, await rescheduler.PassAsync());
        var waiting = await _admin.GetAgentAsync(movable);
        Assert.Equal(lost, waiting.ContainerId);
        Assert.Equal("unknown", waiting.State);
        Assert.Equal(0, await _admin.AssignedAsync(roomyB));

        var newA = await RegisterAsync(_a, maxAgents: 5);
        await BeatAndAdvanceAsync([roomyB, newA], TimeSpan.FromSeconds(1));
        Assert.Equal(1, await rescheduler.PassAsync());
        Assert.Equal(newA, (await _admin.GetAgentAsync(movable)).ContainerId);
    }

    [Fact]
    public async Task AnAdminDeployPinnedToATenantStaysInItWhenRescheduled()
    {
        var lost = await RegisterAsync(_a, maxAgents: 5);
        var movable = (await _admin.DeployOkAsync(new { agent_type = _type, on_cluster_loss = "reschedule", constraints = new { orchestrator_id = _a } })).Agents[0].AgentId;
        var roomyB = await RegisterAsync(_b, maxAgents: 50);

        await LoseAsync(lost, [roomyB]);
        Assert.Equal(0, await _manager.Services.GetRequiredService<Rescheduler>().PassAsync());
        Assert.Equal(lost, (await _admin.GetAgentAsync(movable)).ContainerId);
    }

    // The container goes lost while the others keep beating; then RescheduleAfter (90 s) passes.
    private async Task LoseAsync(string lost, IReadOnlyList<string> beating)
    {
        for (var i = 0; i < 8; i++) await BeatAndAdvanceAsync(beating, Interval);
        Assert.Equal("lost", (await _admin.GetContainerAsync(lost)).Status);
    }

    private async Task BeatAndAdvanceAsync(IReadOnlyList<string> beating, TimeSpan by)
    {
        foreach (var id in beating)
            (await _admin.PostAsJsonAsync(ManagerRoutes.WithId(ManagerRoutes.Heartbeat, id), Registrations.Heartbeat(id, activeAgents: 0))).EnsureSuccessStatusCode();
        _manager.Time.Advance(by);
        await _manager.Services.GetRequiredService<LivenessSweeper>().SweepAsync();
    }

    private async Task<string> RegisterAsync(string tenant, int maxAgents, string zone = "eu", string? extra = null)
    {
        var response = await _admin.PostAsJsonAsync(ManagerRoutes.Register, new
        {
            container_name = Registrations.UniqueName(),
            host_address = "127.0.0.1",
            api_port = 8001,
            capabilities = extra is null ? new[] { _type } : [_type, extra],
            resources = new { cpu_count = 2, memory_limit = 2147483648 },
            metadata = new { orchestrator_id = tenant, zone },
            max_agents = maxAgents,
        });
        var id = (await response.ReadAsync(ProtocolJsonContext.Default.RegisterContainerResponse)).ContainerId;
        (await _admin.PostAsJsonAsync(ManagerRoutes.WithId(ManagerRoutes.Heartbeat, id), Registrations.Heartbeat(id, activeAgents: 0))).EnsureSuccessStatusCode();
        return id;
    }

    public async Task DisposeAsync()
    {
        _operatorA?.Dispose();
        _admin?.Dispose();
        if (_manager is not null) await _manager.DisposeAsync();
        await _redis.DisposeAsync();
    }
}
