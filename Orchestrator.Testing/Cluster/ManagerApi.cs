using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Testing.Cluster;

// The manager's admin API as an operator would call it (the seed's paths), logging in on first use
// and again after a 401 (a restarted manager keeps the JWT secret, so tokens usually survive).
public sealed class ManagerApi(string baseUrl, HttpClient http)
{
    private string? _token;

    public string BaseUrl => baseUrl;

    // POST /api/v1/cluster/agents/deploy; throws with the body unless 201.
    public async Task<JsonObject> DeployAsync(string agentType, int replicas = 1, string? onClusterLoss = null,
        object? agentConfig = null, object? constraints = null, string? deploymentStrategy = null)
    {
        var body = new JsonObject
        {
            ["agent_type"] = agentType,
            ["replicas"] = replicas,
            ["agent_config"] = JsonSerializerNode(agentConfig ?? new { strategy = "momentum", tick_interval_ms = 200 }),
        };
        if (onClusterLoss is not null) body["on_cluster_loss"] = onClusterLoss;
        if (constraints is not null) body["constraints"] = JsonSerializerNode(constraints);
        if (deploymentStrategy is not null) body["deployment_strategy"] = deploymentStrategy;
        using var response = await SendAsync(HttpMethod.Post, "/api/v1/cluster/agents/deploy", body);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"deploy: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public async Task<IReadOnlyList<JsonObject>> AgentsAsync() =>
        (await GetAsync("/api/v1/cluster/agents"))["agents"]!.AsArray().Select(a => a!.AsObject()).ToList();

    public async Task<JsonObject> AgentAsync(string agentId) => await GetAsync($"/api/v1/cluster/agents/{agentId}");

    public async Task<IReadOnlyList<JsonObject>> ContainersAsync() =>
        (await GetAsync("/api/v1/cluster/containers"))["containers"]!.AsArray().Select(c => c!.AsObject()).ToList();

    public async Task<JsonObject> ContainerByNameAsync(string containerName) =>
        (await ContainersAsync()).Single(c => (string?)c["container_name"] == containerName);

    public async Task<JsonObject> StatusAsync() => await GetAsync("/api/v1/cluster/status");

    public async Task<JsonObject> GetAsync(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"GET {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, JsonNode? body = null)
    {
        var response = await SendOnceAsync(method, path, body);
        if (response.StatusCode != HttpStatusCode.Unauthorized) return response;
        response.Dispose();
        _token = null;
        return await SendOnceAsync(method, path, body);
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string path, JsonNode? body)
    {
        _token ??= await LoginAsync();
        using var request = new HttpRequestMessage(method, baseUrl + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        if (body is not null) request.Content = JsonContent.Create(body);
        return await http.SendAsync(request);
    }

    private async Task<string> LoginAsync()
    {
        using var response = await http.PostAsJsonAsync(baseUrl + "/api/v1/auth/token",
            new { username = "admin", password = ProcessCluster.AdminPassword });
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"login: {(int)response.StatusCode} {text}");
        return (string)JsonNode.Parse(text)!["access_token"]!;
    }

    private static JsonNode? JsonSerializerNode(object value) => System.Text.Json.JsonSerializer.SerializeToNode(value);
}
