using System.Net.Http.Json;
using Orchestrator.Protocol;
using Orchestrator.Tests.Manager;
using Orchestrator.Tests.Scheduling;

namespace Orchestrator.Tests.Tenants;

// Every /api/v1 route against four callers: no token, a viewer of tenant A, an operator of tenant A, the admin.
// Tenant B's objects are answered 404 to A's callers; the admin's answers are the seed's, as before.
[Trait(TestLevel.Name, TestLevel.Api)]
public class TenantRouteMatrixTests(TenantWorld world) : IClassFixture<TenantWorld>
{
    public static readonly string[] Callers = ["none", "viewer A", "operator A", "admin"];

    // route -> (request for a caller, expected status of none, viewer A, operator A, admin). A request that changes
    // something is built fresh for each caller (its own container, agent or token), so callers never share an object.
    private static readonly Dictionary<string, (Func<TenantWorld, Task<HttpRequestMessage>> Request, int[] Expected)> Matrix = new()
    {
        ["POST auth/token (admin body)"] = (w => Post(ManagerRoutes.Token, new { username = "admin", password = ManagerFactory.AdminPassword }), [200, 200, 200, 200]),
        ["POST containers/register"] = (w => Post(ManagerRoutes.Register, Registrations.SeedPayload(Registrations.UniqueName())), [401, 403, 403, 201]),
        ["POST containers/{A}/heartbeat"] = (w => Post(Id(ManagerRoutes.Heartbeat, w.ContainersA[0]), Registrations.Heartbeat(w.ContainersA[0])), [401, 403, 403, 200]),
        ["GET containers/{A}/assignments"] = (w => Get(Id(ManagerRoutes.Assignments, w.ContainersA[0]) + "?wait=0"), [401, 403, 403, 200]),
        ["POST containers/{A}/agents/report"] = (w => Post(Id(ManagerRoutes.AgentReport, w.ContainersA[0]), new { agents = Array.Empty<object>() }), [401, 403, 403, 200]),
        ["GET containers"] = (w => Get(ManagerRoutes.Containers), [401, 200, 200, 200]),
        ["GET containers/{A}"] = (w => Get(Id(ManagerRoutes.Container, w.ContainersA[0])), [401, 200, 200, 200]),
        ["GET containers/{B}"] = (w => Get(Id(ManagerRoutes.Container, w.ContainersB[0])), [401, 404, 404, 200]),
        ["DELETE containers/{A}"] = (async w => await Delete(Id(ManagerRoutes.Container, await w.ContainerAsync(w.A))), [401, 403, 403, 204]),
        ["POST containers/{A}/revoke"] = (async w => await Post(Id(ManagerRoutes.Revoke, await w.ContainerAsync(w.A)), new { }), [401, 403, 200, 200]),
        ["POST containers/{B}/revoke"] = (async w => await Post(Id(ManagerRoutes.Revoke, await w.ContainerAsync(w.B)), new { }), [401, 403, 404, 200]),
        ["PUT containers/{A}/eligibility"] = (w => Put(Id(ManagerRoutes.ContainerEligibility, w.ContainersA[0]), new { eligibility = "eligible" }), [401, 403, 200, 200]),
        ["PUT containers/{B}/eligibility"] = (w => Put(Id(ManagerRoutes.ContainerEligibility, w.ContainersB[0]), new { eligibility = "eligible" }), [401, 403, 404, 200]),
        ["POST enrollment-tokens for A"] = (w => Post(ManagerRoutes.EnrollmentTokens, new { orchestrator_id = w.A }), [401, 403, 201, 201]),
        ["POST enrollment-tokens for B"] = (w => Post(ManagerRoutes.EnrollmentTokens, new { orchestrator_id = w.B }), [401, 403, 404, 201]),
        ["GET enrollment-tokens"] = (w => Get(ManagerRoutes.EnrollmentTokens), [401, 200, 200, 200]),
        ["DELETE enrollment-tokens/{A}"] = (async w => await Delete(Id(ManagerRoutes.EnrollmentToken, await TokenAsync(w, w.A))), [401, 403, 204, 204]),
        ["DELETE enrollment-tokens/{B}"] = (async w => await Delete(Id(ManagerRoutes.EnrollmentToken, await TokenAsync(w, w.B))), [401, 403, 404, 204]),
        ["POST enroll (a wrong token)"] = (w => Post(ManagerRoutes.Enroll, new { enrollment_token = "abc.def", container_name = "n", host_address = "h", api_port = 1 }), [401, 401, 401, 401]),
        ["GET agents"] = (w => Get(ManagerRoutes.Agents), [401, 200, 200, 200]),
        ["GET agents/{A}"] = (w => Get(Id(ManagerRoutes.Agent, w.AgentA)), [401, 200, 200, 200]),
        ["GET agents/{B}"] = (w => Get(Id(ManagerRoutes.Agent, w.AgentB)), [401, 404, 404, 200]),
        ["POST agents/deploy in A"] = (w => Post(ManagerRoutes.Deploy, new { agent_type = w.Type, constraints = new { orchestrator_id = w.A } }), [401, 403, 201, 201]),
        ["POST agents/deploy in B"] = (w => Post(ManagerRoutes.Deploy, new { agent_type = w.Type, agent_config = new { orchestrator_id = w.B } }), [401, 403, 404, 201]),
        ["DELETE agents/{A}"] = (async w => await Delete(Id(ManagerRoutes.Agent, await w.AgentAsync(w.A))), [401, 403, 204, 204]),
        ["DELETE agents/{B}"] = (async w => await Delete(Id(ManagerRoutes.Agent, await w.AgentAsync(w.B))), [401, 403, 404, 204]),
        ["GET status"] = (w => Get(ManagerRoutes.Status), [401, 200, 200, 200]),
        ["GET metrics/distribution"] = (w => Get(ManagerRoutes.Distribution), [401, 200, 200, 200]),
        ["GET communication/stats"] = (w => Get(ManagerRoutes.CommunicationStats), [401, 200, 200, 200]),
        ["POST operators"] = (w => Post(ManagerRoutes.Operators, new { name = TenantClients.UniqueOperator(), tenants = new[] { w.A }, role = "viewer" }), [401, 403, 403, 201]),
        ["GET operators"] = (w => Get(ManagerRoutes.Operators), [401, 403, 403, 200]),
        ["DELETE operators/{name}"] = (async w => await Delete(Id(ManagerRoutes.Operator, (await w.Admin.CreateOperatorAsync("viewer", w.A)).Name)), [401, 403, 403, 204]),
        ["GET tenants"] = (w => Get(ManagerRoutes.Tenants), [401, 200, 200, 200]),
        ["GET tenants/{A}"] = (w => Get(Id(ManagerRoutes.Tenant, w.A)), [401, 200, 200, 200]),
        ["GET tenants/{B}"] = (w => Get(Id(ManagerRoutes.Tenant, w.B)), [401, 404, 404, 200]),
        ["PUT tenants/{A}"] = (w => Put(Id(ManagerRoutes.Tenant, w.A), new { max_containers = 1000, max_agents = 1000 }), [401, 403, 403, 200]),
        ["GET tenants/{A}/secrets"] = (w => Get(ManagerRoutes.TenantSecrets.Replace("{id}", w.A)), [401, 200, 200, 200]),
        ["GET tenants/{B}/secrets"] = (w => Get(ManagerRoutes.TenantSecrets.Replace("{id}", w.B)), [401, 404, 404, 200]),
        ["PUT tenants/{A}/secrets/{name}"] = (w => Put(Secret(w.A, "k"), new { value = "v" }), [401, 403, 200, 200]),
        ["PUT tenants/{B}/secrets/{name}"] = (w => Put(Secret(w.B, "k"), new { value = "v" }), [401, 403, 404, 200]),
        ["DELETE tenants/{A}/secrets/{name}"] = (async w => await Delete(Secret(w.A, await SecretAsync(w, w.A))), [401, 403, 204, 204]),
        ["DELETE tenants/{B}/secrets/{name}"] = (async w => await Delete(Secret(w.B, await SecretAsync(w, w.B))), [401, 403, 404, 204]),
        ["POST rescheduling/pause"] = (w => Post(ManagerRoutes.ReschedulingPause, new { note = "matrix", expires_at = DateTimeOffset.UtcNow.AddMinutes(1) }), [401, 403, 403, 200]),
        ["POST rescheduling/resume"] = (w => Post(ManagerRoutes.ReschedulingResume, new { }), [401, 403, 403, 204]),
        ["GET agents/{A}/logs"] = (w => Get(Id(ManagerRoutes.AgentLogs, w.AgentA)), [401, 200, 200, 200]),
        ["GET agents/{B}/logs"] = (w => Get(Id(ManagerRoutes.AgentLogs, w.AgentB)), [401, 404, 404, 200]),
        ["POST containers/{A}/logs"] = (w => Post(Id(ManagerRoutes.ContainerLogs, w.ContainersA[0]), new { agent_id = "agt-0000000000000000", lines = new[] { new { sequence = 1, time = DateTimeOffset.UtcNow, stream = "stdout", text = "x" } } }), [401, 403, 403, 404]),
        // issue 27 (s8/connection): versions and maintenance windows.
        ["GET versions"] = (w => Get(ManagerRoutes.Versions), [401, 200, 200, 200]),
        ["GET tenants/{A}/maintenance"] = (w => Get(Id(ManagerRoutes.TenantMaintenance, w.A)), [401, 200, 200, 200]),
        ["GET tenants/{B}/maintenance"] = (w => Get(Id(ManagerRoutes.TenantMaintenance, w.B)), [401, 404, 404, 200]),
        ["PUT tenants/{A}/maintenance"] = (w => Put(Id(ManagerRoutes.TenantMaintenance, w.A), new { time_zone = "UTC", windows = Array.Empty<object>() }), [401, 403, 200, 200]),
        ["PUT tenants/{B}/maintenance"] = (w => Put(Id(ManagerRoutes.TenantMaintenance, w.B), new { time_zone = "UTC", windows = Array.Empty<object>() }), [401, 403, 404, 200]),
        // The node's journal (issue 29): only a container's own node (or the admin, who may act for any) reaches it.
        ["GET containers/{A}/journal"] = (w => Get(Id(ManagerRoutes.ContainerJournal, w.ContainersA[0])), [401, 403, 403, 200]),
        ["POST containers/{A}/journal"] = (w => Post(Id(ManagerRoutes.ContainerJournal, w.ContainersA[0]), new { entries = new[] { new { sequence = 1, time = DateTimeOffset.UtcNow, kind = "restart" } } }), [401, 403, 403, 400]),
        ["GET audit"] = (w => Get(ManagerRoutes.Audit), [401, 200, 200, 200]),
        // Drain and stop/start (issues 25, 27).
        ["POST containers/{A}/drain"] = (async w => await Post(Id(ManagerRoutes.ContainerDrain, await w.ContainerAsync(w.A)), new { max_parallel = 2 }), [401, 403, 200, 200]),
        ["POST containers/{B}/drain"] = (async w => await Post(Id(ManagerRoutes.ContainerDrain, await w.ContainerAsync(w.B)), new { }), [401, 403, 404, 200]),
        ["POST agents/{A}/stop"] = (async w => await Post(Id(ManagerRoutes.AgentStop, await w.AgentAsync(w.A)), new { force = true }), [401, 403, 200, 200]),
        ["POST agents/{B}/stop"] = (async w => await Post(Id(ManagerRoutes.AgentStop, await w.AgentAsync(w.B)), new { }), [401, 403, 404, 200]),
        ["POST agents/{A}/start"] = (async w => await Post(Id(ManagerRoutes.AgentStart, await w.AgentAsync(w.A)), new { }), [401, 403, 200, 200]),
        ["POST agents/{B}/start"] = (async w => await Post(Id(ManagerRoutes.AgentStart, await w.AgentAsync(w.B)), new { }), [401, 403, 404, 200]),
        ["GET audit?tenant=B"] = (w => Get(ManagerRoutes.Audit + "?tenant=" + w.B), [401, 404, 404, 200]),
        // Deployments and restarts (issue 25).
        ["POST agents/{A}/restart"] = (async w => await Post(Id(ManagerRoutes.AgentRestart, await w.AgentAsync(w.A)), new { }), [401, 403, 200, 200]),
        ["POST agents/{B}/restart"] = (async w => await Post(Id(ManagerRoutes.AgentRestart, await w.AgentAsync(w.B)), new { }), [401, 403, 404, 200]),
        ["GET deployments"] = (w => Get(ManagerRoutes.Deployments), [401, 200, 200, 200]),
        ["GET deployments/{A}"] = (async w => await Get(Id(ManagerRoutes.Deployment, await DeploymentAsync(w, w.A))), [401, 200, 200, 200]),
        ["GET deployments/{B}"] = (async w => await Get(Id(ManagerRoutes.Deployment, await DeploymentAsync(w, w.B))), [401, 404, 404, 200]),
        ["GET deployments/{A}/revisions"] = (async w => await Get(Id(ManagerRoutes.DeploymentRevisions, await DeploymentAsync(w, w.A))), [401, 200, 200, 200]),
        ["GET deployments/{B}/revisions"] = (async w => await Get(Id(ManagerRoutes.DeploymentRevisions, await DeploymentAsync(w, w.B))), [401, 404, 404, 200]),
        ["POST deployments in A"] = (w => Post(ManagerRoutes.Deployments, DeploymentBody(w, w.A)), [401, 403, 201, 201]),
        ["POST deployments in B"] = (w => Post(ManagerRoutes.Deployments, DeploymentBody(w, w.B)), [401, 403, 404, 201]),
        ["PUT deployments/{A}"] = (async w => await Put(Id(ManagerRoutes.Deployment, await DeploymentAsync(w, w.A)), new { replicas = 1 }), [401, 403, 200, 200]),
        ["PUT deployments/{B}"] = (async w => await Put(Id(ManagerRoutes.Deployment, await DeploymentAsync(w, w.B)), new { replicas = 1 }), [401, 403, 404, 200]),
        ["DELETE deployments/{A}"] = (async w => await Delete(Id(ManagerRoutes.Deployment, await DeploymentAsync(w, w.A))), [401, 403, 204, 204]),
        ["DELETE deployments/{B}"] = (async w => await Delete(Id(ManagerRoutes.Deployment, await DeploymentAsync(w, w.B))), [401, 403, 404, 204]),
        ["POST deployments/{A}/pause"] = (async w => await Post(Id(ManagerRoutes.DeploymentPause, await DeploymentAsync(w, w.A)), new { }), [401, 403, 200, 200]),
        ["POST deployments/{B}/pause"] = (async w => await Post(Id(ManagerRoutes.DeploymentPause, await DeploymentAsync(w, w.B)), new { }), [401, 403, 404, 200]),
        ["POST deployments/{A}/resume"] = (async w => await Post(Id(ManagerRoutes.DeploymentResume, await DeploymentAsync(w, w.A, paused: true)), new { }), [401, 403, 200, 200]),
        ["POST deployments/{A}/promote"] = (async w => await Post(Id(ManagerRoutes.DeploymentPromote, await DeploymentAsync(w, w.A)), new { }), [401, 403, 200, 200]),
        ["POST deployments/{A}/revert?revision=1"] = (async w => await Post(Id(ManagerRoutes.DeploymentRevert, await DeploymentAsync(w, w.A)) + "?revision=1", new { }), [401, 403, 200, 200]),
    };

    public static TheoryData<string> Routes() => [.. Matrix.Keys];

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task EachCallerGetsTheExpectedStatus(string route)
    {
        var (request, expected) = Matrix[route];
        var actual = new List<string>();
        for (var i = 0; i < Callers.Length; i++)
        {
            using var message = await request(world);
            using var response = await world.Caller(Callers[i]).SendAsync(message);
            var status = (int)response.StatusCode;
            actual.Add($"{Callers[i]}: {status}{(status == expected[i] ? "" : $" (expected {expected[i]}: {await response.Content.ReadAsStringAsync()})")}");
        }
        Assert.True(actual.All(a => !a.Contains("expected", StringComparison.Ordinal)), route + "\n" + string.Join("\n", actual));
    }

    [Fact]
    public void TheMatrixCoversEveryOperatorRoute()
    {
        var routes = typeof(ManagerRoutes).GetFields().Where(f => f.IsLiteral && ((string)f.GetValue(null)!).StartsWith("/api/v1", StringComparison.Ordinal))
            .Select(f => f.Name).Except(["Events"]).ToList();
        var covered = new[]
        {
            "Token", "Register", "Heartbeat", "Assignments", "AgentReport", "Containers", "Container", "Revoke", "ContainerEligibility", "EnrollmentTokens",
            "EnrollmentToken", "Enroll", "Agents", "Agent", "Deploy", "Status", "Distribution", "CommunicationStats", "Operators", "Operator",
            "Tenants", "Tenant", "Audit", "TenantSecrets", "TenantSecret", "ReschedulingPause", "ReschedulingResume", "AgentLogs", "ContainerLogs",
            "AgentRestart", "Deployments", "Deployment", "DeploymentPromote", "DeploymentPause", "DeploymentResume", "DeploymentRevert",
            "DeploymentRevisions",
            "Versions", "TenantMaintenance",
            "ContainerDrain", "AgentStop", "AgentStart",
            "ContainerJournal",
        };
        Assert.Empty(routes.Except(covered));
    }

    [Fact]
    public async Task AViewerOfASeesOnlyAsObjectsAndNumbersInEveryList()
    {
        var containers = await world.ViewerA.ListContainersAsync();
        Assert.NotEmpty(containers.Containers);
        Assert.All(containers.Containers, c => Assert.Equal(world.A, c.OrchestratorId()));
        Assert.Subset(containers.Containers.Select(c => c.ContainerId).ToHashSet(), world.ContainersA.ToHashSet());

        var agents = await world.ViewerA.ListAgentsAsync();
        Assert.Contains(agents.Agents, a => a.AgentId == world.AgentA);
        Assert.All(agents.Agents, a => Assert.Equal(world.A, a.OrchestratorId));

        var distribution = await world.ViewerA.GetDistributionAsync();
        Assert.Equal([world.A], distribution.Orchestrators.Select(o => o.OrchestratorId));
        Assert.All(distribution.Containers, c => Assert.Equal(world.A, c.OrchestratorId));

        var stats = await world.ViewerA.GetCommunicationStatsAsync();
        Assert.All(stats.Containers, c => Assert.DoesNotContain(c.ContainerId, world.ContainersB));
        Assert.NotEmpty(stats.Containers);

        var status = await world.ViewerA.GetStatusAsync();
        var everything = await world.Admin.GetStatusAsync();
        var ofA = (await world.Admin.ListContainersAsync()).Containers.Count(c => c.OrchestratorId() == world.A);
        Assert.Equal(ofA, status.TotalContainers);
        Assert.True(everything.TotalContainers > status.TotalContainers);

        var tokens = await world.OperatorA.GetAsync(ManagerRoutes.EnrollmentTokens, ProtocolJsonContext.Default.EnrollmentTokenListResponse);
        Assert.All(tokens.Tokens, t => Assert.Equal([world.A], t.OrchestratorIds));

        var tenants = await world.ViewerA.GetAsync(ManagerRoutes.Tenants, ProtocolJsonContext.Default.TenantListResponse);
        Assert.Equal([world.A], tenants.Tenants.Select(t => t.TenantId));
    }

    [Fact]
    public async Task TheAdminStillSeesEveryTenant()
    {
        var containers = (await world.Admin.ListContainersAsync()).Containers.Select(c => c.ContainerId).ToHashSet();
        Assert.Superset(world.ContainersA.Concat(world.ContainersB).ToHashSet(), containers);
        var agents = (await world.Admin.ListAgentsAsync()).Agents.Select(a => a.AgentId).ToHashSet();
        Assert.Contains(world.AgentA, agents);
        Assert.Contains(world.AgentB, agents);
    }

    private static async Task<string> TokenAsync(TenantWorld w, string tenant) =>
        (await (await w.Admin.PostAsJsonAsync(ManagerRoutes.EnrollmentTokens, new { orchestrator_id = tenant }))
            .ReadAsync(ProtocolJsonContext.Default.EnrollmentTokenCreated)).TokenId;

    // A fresh secret of the tenant, set by the admin, for a DELETE to remove.
    private static async Task<string> SecretAsync(TenantWorld w, string tenant)
    {
        var name = "s-" + Guid.NewGuid().ToString("N")[..12];
        (await w.Admin.PutAsJsonAsync(Secret(tenant, name), new { value = "v" })).EnsureSuccessStatusCode();
        return name;
    }

    private static object DeploymentBody(TenantWorld w, string tenant) =>
        new { name = "matrix", tenant, replicas = 1, spec = new { agent_type = w.Type } };

    // A fresh deployment of the tenant, created by the admin (paused when asked), for one caller's request.
    private static async Task<string> DeploymentAsync(TenantWorld w, string tenant, bool paused = false)
    {
        var created = await (await w.Admin.PostAsJsonAsync(ManagerRoutes.Deployments, DeploymentBody(w, tenant)))
            .ReadAsync(ProtocolJsonContext.Default.DeploymentView);
        if (paused) (await w.Admin.PostAsJsonAsync(Id(ManagerRoutes.DeploymentPause, created.DeploymentId), new { })).EnsureSuccessStatusCode();
        return created.DeploymentId;
    }

    private static string Secret(string tenant, string name) => ManagerRoutes.TenantSecret.Replace("{id}", tenant).Replace("{name}", name);

    private static string Id(string template, string id) => ManagerRoutes.WithId(template, id);

    private static Task<HttpRequestMessage> Get(string path) => Task.FromResult(new HttpRequestMessage(HttpMethod.Get, path));

    private static Task<HttpRequestMessage> Delete(string path) => Task.FromResult(new HttpRequestMessage(HttpMethod.Delete, path));

    private static Task<HttpRequestMessage> Post(string path, object body) =>
        Task.FromResult(new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) });

    private static Task<HttpRequestMessage> Put(string path, object body) =>
        Task.FromResult(new HttpRequestMessage(HttpMethod.Put, path) { Content = JsonContent.Create(body) });
}
