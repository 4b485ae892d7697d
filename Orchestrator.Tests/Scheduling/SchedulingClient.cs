using System.Net.Http.Json;
using Orchestrator.Protocol;
using Orchestrator.Tests.Manager;

namespace Orchestrator.Tests.Scheduling;

// Each test invents its own agent type, and registers containers offering it: tests sharing one
// manager and Redis never see each other's containers as candidates.
public static class SchedulingClient
{
    public static string UniqueType() => "t_" + Guid.NewGuid().ToString("N")[..12];

    public static async Task<string> RegisterAsync(this HttpClient admin, string agentType, string orchestratorId, int maxAgents, double health = 90)
    {
        var name = Registrations.UniqueName();
        var response = await admin.PostAsJsonAsync(ManagerRoutes.Register, new
        {
            container_name = name,
            host_address = "127.0.0.1",
            api_port = 8001,
            capabilities = new[] { agentType },
            resources = new { cpu_count = 2, memory_limit = 2147483648 },
            metadata = new { orchestrator_id = orchestratorId, zone = "eu" },
            max_agents = maxAgents,
        });
        var id = (await response.ReadAsync(ProtocolJsonContext.Default.RegisterContainerResponse)).ContainerId;
        (await admin.PostAsJsonAsync($"/api/v1/cluster/containers/{id}/heartbeat",
            Registrations.Heartbeat(id, health: health, activeAgents: 0))).EnsureSuccessStatusCode();
        return id;
    }

    public static Task<HttpResponseMessage> DeployAsync(this HttpClient admin, object body, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, ManagerRoutes.Deploy) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null) request.Headers.Add(ManagerRoutes.IdempotencyKeyHeader, idempotencyKey);
        return admin.SendAsync(request);
    }

    public static async Task<DeployResponse> DeployOkAsync(this HttpClient admin, object body, string? idempotencyKey = null)
    {
        var response = await admin.DeployAsync(body, idempotencyKey);
        Assert.True((int)response.StatusCode == 201, $"deploy: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.ReadAsync(ProtocolJsonContext.Default.DeployResponse);
    }

    public static IEnumerable<string> ContainersOf(DeployResponse deployed) => deployed.Agents.Select(a => a.ContainerId);

    public static async Task<int> AssignedAsync(this HttpClient admin, string containerId) =>
        (await admin.GetContainerAsync(containerId)).AssignedAgents;
}
