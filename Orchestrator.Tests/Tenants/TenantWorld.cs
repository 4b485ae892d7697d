using Orchestrator.Protocol;
using Orchestrator.Tests.Infrastructure;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;

namespace Orchestrator.Tests.Tenants;

// Two tenants, A and B, each with two containers and an agent, on one real manager and redis-server; and the
// four callers of the route matrix: no token, a viewer of A, an operator of A, and the admin.
public sealed class TenantWorld : IAsyncLifetime
{
    private readonly RedisHost _redis = new();

    public ManagerFactory Manager { get; private set; } = null!;
    public string A { get; } = TenantClients.UniqueTenant("a");
    public string B { get; } = TenantClients.UniqueTenant("b");
    public string Type { get; } = SchedulingClient.UniqueType();
    public HttpClient Admin { get; private set; } = null!;
    public HttpClient Anonymous { get; private set; } = null!;
    public HttpClient ViewerA { get; private set; } = null!;
    public HttpClient OperatorA { get; private set; } = null!;
    public IReadOnlyList<string> ContainersA { get; private set; } = [];
    public IReadOnlyList<string> ContainersB { get; private set; } = [];
    public string AgentA { get; private set; } = "";
    public string AgentB { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        Manager = new ManagerFactory(_redis);
        Admin = await Manager.CreateAdminClientAsync();
        Anonymous = Manager.CreateClient("10.13.1.1");
        ViewerA = await Manager.CreateScopedClientAsync(Admin, "viewer", A);
        OperatorA = await Manager.CreateScopedClientAsync(Admin, "operator", A);
        ContainersA = [await ContainerAsync(A), await ContainerAsync(A)];
        ContainersB = [await ContainerAsync(B), await ContainerAsync(B)];
        AgentA = await AgentAsync(A);
        AgentB = await AgentAsync(B);
    }

    public HttpClient Caller(string name) => name switch
    {
        "none" => Anonymous,
        "viewer A" => ViewerA,
        "operator A" => OperatorA,
        _ => Admin,
    };

    public Task<string> ContainerAsync(string tenant, int maxAgents = 10) => Admin.RegisterAsync(Type, tenant, maxAgents: maxAgents);

    public async Task<string> AgentAsync(string tenant) =>
        (await Admin.DeployOkAsync(new { agent_type = Type, constraints = new { orchestrator_id = tenant } })).Agents[0].AgentId;

    public async Task DisposeAsync()
    {
        foreach (var client in new[] { Admin, Anonymous, ViewerA, OperatorA }) client?.Dispose();
        try
        {
            if (Manager is not null) await Manager.DisposeAsync();
        }
        finally
        {
            await _redis.DisposeAsync();
        }
    }
}
