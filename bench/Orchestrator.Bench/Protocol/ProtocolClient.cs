using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Orchestrator.Bench.Simulation;
using Orchestrator.Protocol;

namespace Orchestrator.Bench.Protocol;

// docs/protocol.md from the node's side (and the operator's deploy), call by call, with Protocol's records and routes.
// Unlike Protocol's ManagerClient, status codes come back to the caller, who counts them; only transport failures throw.
public sealed class ProtocolClient(BenchHttp http, string password, TimeSpan callTimeout)
{
    private static readonly MediaTypeHeaderValue JsonMediaType = new("application/json");
    private static readonly ProtocolJsonContext Json = ProtocolJsonContext.Default;

    public async Task<AuthenticationHeaderValue> LoginAsync(string? containerName, CancellationToken cancellationToken)
    {
        var request = containerName is null ? TokenRequest.ForAdmin(password) : TokenRequest.ForNode(password, containerName);
        using var timeout = Timeout(cancellationToken);
        using var response = await http.Calls.PostAsJsonAsync(ManagerRoutes.Token, request, Json.TokenRequest, timeout.Token);
        await ThrowUnlessSuccessAsync(response, "POST " + ManagerRoutes.Token);
        var token = await response.Content.ReadFromJsonAsync(Json.TokenResponse, timeout.Token);
        return new AuthenticationHeaderValue("Bearer", token!.AccessToken);
    }

    // Logs in when it has no token, registers, and prepares the heartbeat body, as Orchestrator.Agent does at start.
    public async Task RegisterAsync(SimCluster cluster, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            cluster.Authorization ??= await LoginAsync(cluster.Name, cancellationToken);
            using var request = new HttpRequestMessage(HttpMethod.Post, ManagerRoutes.Register)
            {
                Content = JsonContent.Create(cluster.Registration(), Json.RegisterContainerRequest),
            };
            request.Headers.Authorization = cluster.Authorization;
            using var timeout = Timeout(cancellationToken);
            using var response = await http.Calls.SendAsync(request, timeout.Token);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
            {
                cluster.Authorization = null;
                continue;
            }
            await ThrowUnlessSuccessAsync(response, "POST " + ManagerRoutes.Register);
            var registered = await response.Content.ReadFromJsonAsync(Json.RegisterContainerResponse, timeout.Token);
            cluster.ContainerId = registered!.ContainerId;
            cluster.RebuildHeartbeat();
            return;
        }
    }

    public async Task<HttpStatusCode> HeartbeatAsync(SimCluster cluster, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, cluster.HeartbeatPath);
        request.Content = new ByteArrayContent(cluster.HeartbeatBody) { Headers = { ContentType = JsonMediaType } };
        request.Headers.Authorization = cluster.Authorization;
        using var timeout = Timeout(cancellationToken);
        using var response = await http.Calls.SendAsync(request, timeout.Token);
        return response.StatusCode;
    }

    public async Task<(HttpStatusCode Status, AssignmentsResponse? Body)> AssignmentsAsync(SimCluster cluster, long since,
        int waitSeconds, CancellationToken cancellationToken)
    {
        var query = since < 0 ? $"wait={waitSeconds}" : $"since={since}&wait={waitSeconds}";
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"{ManagerRoutes.WithId(ManagerRoutes.Assignments, cluster.ContainerId!)}?{query}");
        request.Headers.Authorization = cluster.Authorization;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(waitSeconds) + callTimeout);
        using var response = await http.LongPolls.SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode) return (response.StatusCode, null);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync(Json.AssignmentsResponse, timeout.Token));
    }

    public async Task<(HttpStatusCode Status, AgentReportResponse? Body)> ReportAsync(SimCluster cluster, long generation,
        IReadOnlyList<ReportedAgent> agents, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ManagerRoutes.WithId(ManagerRoutes.AgentReport, cluster.ContainerId!))
        {
            Content = JsonContent.Create(new AgentReportRequest(cluster.ContainerId!, generation, agents), Json.AgentReportRequest),
        };
        request.Headers.Authorization = cluster.Authorization;
        using var timeout = Timeout(cancellationToken);
        using var response = await http.Calls.SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode) return (response.StatusCode, null);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync(Json.AgentReportResponse, timeout.Token));
    }

    // The operator's deploy.
    public async Task<(HttpStatusCode Status, DeployResponse? Body)> DeployAsync(AuthenticationHeaderValue admin, DeployRequest deploy,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, ManagerRoutes.Deploy)
        {
            Content = JsonContent.Create(deploy, Json.DeployRequest),
        };
        request.Headers.Authorization = admin;
        using var timeout = Timeout(cancellationToken);
        using var response = await http.Calls.SendAsync(request, timeout.Token);
        return (response.StatusCode, response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync(Json.DeployResponse, timeout.Token) : null);
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

    public async Task<ClusterStatusResponse?> GetStatusAsync(AuthenticationHeaderValue admin, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, ManagerRoutes.Status);
        request.Headers.Authorization = admin;
        using var timeout = Timeout(cancellationToken, ReadTimeout);
        using var response = await http.Calls.SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode) return null;
        return await response.Content.ReadFromJsonAsync(Json.ClusterStatusResponse, timeout.Token);
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
