using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Protocol;

namespace Orchestrator.Tests.Manager;

// The seed's own registration and heartbeat payloads, as a seed client sends them.
public static class Registrations
{
    public static string UniqueName(string prefix = "orchestrator") => $"{prefix}-{Guid.NewGuid():N}"[..24] + "-cluster";

    public static object SeedPayload(string name, string host = "127.0.0.1", int port = 8001) => new
    {
        container_name = name,
        host_address = host,
        api_port = port,
        capabilities = new[] { "agent_runner", "orchestrator_cluster" },
        resources = new { cpu_count = 2, memory_limit = 2147483648 },
        metadata = new { orchestrator_id = "1" },
    };

    public static object Heartbeat(string id, double health = 95, int activeAgents = 2) => new
    {
        container_id = id,
        health_score = health,
        resources = new { cpu_count = 2, cpu_percent = 12.5, memory_used = 123456789, memory_limit = 2147483648 },
        active_agents = activeAgents,
    };

    public static async Task<RegisterContainerResponse> RegisterAsync(this HttpClient client, string name, string host = "127.0.0.1", int port = 8001) =>
        await (await client.PostAsJsonAsync(ManagerRoutes.Register, SeedPayload(name, host, port))).ReadAsync(ProtocolJsonContext.Default.RegisterContainerResponse);

    public static async Task<string> RegisterIdAsync(this HttpClient client, string name) => (await client.RegisterAsync(name)).ContainerId;

    // Untyped, for the tests that check the wire's shape itself (which fields are present).
    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
