using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Bench.Simulation;

namespace Orchestrator.Bench.Protocol;

// docs/protocol.md from the orchestrator's side (and the operator's deploy), call by call.
// Status codes come back to the caller, who counts them; only transport failures throw.
public sealed class ProtocolClient(BenchHttp http, string password, TimeSpan callTimeout)
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public async Task<AuthenticationHeaderValue> LoginAsync(string? containerName, CancellationToken cancellationToken)
    {
        var request = new TokenRequest(containerName is null ? "admin" : "cluster", password, containerName);
        using var timeout = Timeout(cancellationToken);
        using var response = await http.Calls.PostAsJsonAsync("/api/v1/auth/token", request, WireJson.Default.TokenRequest, timeout.Token);
        await ThrowUnlessSuccessAsync(response, "POST /api/v1/auth/token");
        var token = await response.Content.ReadFromJsonAsync(WireJson.Default.TokenResponse, timeout.Token);
        return new AuthenticationHeaderValue("Bearer", token!.AccessToken);
    }

    // Logs in when it has no token, registers, and prepares the heartbeat body, as Orchestrator.Agent does at start.
    public async Task RegisterAsync(SimCluster cluster, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            cluster.Authorization ??= await LoginAsync(cluster.Name, cancellationToken);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cluster/containers/register")
            {
                Content = JsonContent.Create(cluster.Registration(), WireJson.Default.RegistrationRequest),
            };
            request.Headers.Authorization = cluster.Authorization;
            using var timeout = Timeout(cancellationToken);
            using var response = await http.Calls.SendAsync(request, timeout.Token);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
            {
                cluster.Authorization = null;
                continue;
            }
            await ThrowUnlessSuccessAsync(response, "POST /api/v1/cluster/containers/register");
            var registered = await response.Content.ReadFromJsonAsync(WireJson.Default.RegistrationResponse, timeout.Token);
            cluster.ContainerId = registered!.ContainerId;
            cluster.RebuildHeartbeat();
            return;
        }
    }

    public async Task<HttpStatusCode> HeartbeatAsync(SimCluster cluster, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/cluster/containers/{cluster.ContainerId}/heartbeat");
        request.Content = new ByteArrayContent(cluster.HeartbeatBody) { Headers = { ContentType = Json } };
        request.Headers.Authorization = cluster.Authorization;
        using var timeout = Timeout(cancellationToken);
        using var response = await http.Calls.SendAsync(request, timeout.Token);
        return response.StatusCode;
    }

    public async Task<(HttpStatusCode Status, AssignmentsResponse? Body)> AssignmentsAsync(SimCluster cluster, long since,
        int waitSeconds, CancellationToken cancellationToken)
    {
        var query = since < 0 ? $"wait={waitSeconds}" : $"since={since}&wait={waitSeconds}";
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/cluster/containers/{cluster.ContainerId}/assignments?{query}");
        request.Headers.Authorization = cluster.Authorization;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(waitSeconds) + callTimeout);
        using var response = await http.LongPolls.SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode) return (response.StatusCode, null);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync(WireJson.Default.AssignmentsResponse, timeout.Token));
    }

    public async Task<(HttpStatusCode Status, AgentsReportResponse? Body)> ReportAsync(SimCluster cluster, long generation,
        IReadOnlyList<ReportedAgent> agents, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/cluster/containers/{cluster.ContainerId}/agents/report")
        {
            Content = JsonContent.Create(new AgentsReport(cluster.ContainerId!, generation, agents), WireJson.Default.AgentsReport),
        };
        request.Headers.Authorization = cluster.Authorization;
        using var timeout = Timeout(cancellationToken);
        using var response = await http.Calls.SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode) return (response.StatusCode, null);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync(WireJson.Default.AgentsReportResponse, timeout.Token));
    }

    // The operator's deploy. The response shape is the manager's; the bench reads agent_id from it.
    public async Task<(HttpStatusCode Status, JsonDocument? Body)> DeployAsync(AuthenticationHeaderValue admin, DeployRequest deploy,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/cluster/agents/deploy")
        {
            Content = JsonContent.Create(deploy, WireJson.Default.DeployRequest),
        };
        request.Headers.Authorization = admin;
        using var timeout = Timeout(cancellationToken);
        using var response = await http.Calls.SendAsync(request, timeout.Token);
        var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        return (response.StatusCode, response.IsSuccessStatusCode ? await JsonDocument.ParseAsync(stream, cancellationToken: timeout.Token) : null);
    }

    // An operator's read (GET /status, GET /containers): status and body size.
    public async Task<(HttpStatusCode Status, long Bytes)> GetAsync(AuthenticationHeaderValue admin, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = admin;
        using var timeout = Timeout(cancellationToken, ReadTimeout);
        using var response = await http.Calls.SendAsync(request, timeout.Token);
        var body = await response.Content.ReadAsByteArrayAsync(timeout.Token);
        return (response.StatusCode, body.LongLength);
    }

    public async Task<JsonDocument?> GetJsonAsync(AuthenticationHeaderValue admin, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = admin;
        using var timeout = Timeout(cancellationToken, ReadTimeout);
        using var response = await http.Calls.SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode) return null;
        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token), cancellationToken: timeout.Token);
    }

    // Operators' list reads may be large; they get longer than an orchestrator's call.
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(60);

    private CancellationTokenSource Timeout(CancellationToken cancellationToken, TimeSpan? limit = null)
    {
        var source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        source.CancelAfter(limit ?? callTimeout);
        return source;
    }

    private static async Task ThrowUnlessSuccessAsync(HttpResponseMessage response, string call)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync();
        throw new ProtocolException(response.StatusCode, $"{call} answered {(int)response.StatusCode}: {(body.Length > 300 ? body[..300] : body)}");
    }
}

public sealed class ProtocolException(HttpStatusCode status, string message) : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
}
