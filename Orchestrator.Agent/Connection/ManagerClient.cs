using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Connection;

// The manager's HTTP API as docs/protocol.md describes it. Holds the cluster token; on a 401 it logs
// in again once and repeats the call. Failures surface as exceptions for the caller's retry policy.
public sealed class ManagerClient(IHttpClientFactory factory, IOptions<ManagerConnectionOptions> options, IOptions<NodeOptions> node)
{
    public const string HttpClientName = "manager";

    // The assignments long-poll: its timeout is the longest wait plus a margin (see AddManagerConnection).
    public const string LongPollClientName = "manager-long-poll";

    private readonly SemaphoreSlim _login = new(1, 1);
    private string? _token;

    public void ForgetToken() => _token = null;

    public Task<RegisterContainerResponse> RegisterAsync(RegisterContainerRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/v1/cluster/containers/register", request,
            ProtocolJsonContext.Default.RegisterContainerRequest, ProtocolJsonContext.Default.RegisterContainerResponse, cancellationToken);

    public Task<HeartbeatResponse> HeartbeatAsync(HeartbeatRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"api/v1/cluster/containers/{Uri.EscapeDataString(request.ContainerId!)}/heartbeat", request,
            ProtocolJsonContext.Default.HeartbeatRequest, ProtocolJsonContext.Default.HeartbeatResponse, cancellationToken);

    public Task<AssignmentsResponse> GetAssignmentsAsync(string containerId, long since, int waitSeconds, CancellationToken cancellationToken) =>
        SendAsync<object?, AssignmentsResponse>(HttpMethod.Get,
            $"api/v1/cluster/containers/{Uri.EscapeDataString(containerId)}/assignments?since={since}&wait={waitSeconds}", null, null,
            ProtocolJsonContext.Default.AssignmentsResponse, cancellationToken, LongPollClientName);

    public Task<AgentReportResponse> ReportAgentsAsync(AgentReportRequest report, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"api/v1/cluster/containers/{Uri.EscapeDataString(report.ContainerId!)}/agents/report", report,
            ProtocolJsonContext.Default.AgentReportRequest, ProtocolJsonContext.Default.AgentReportResponse, cancellationToken);

    private async Task<TResponse> SendAsync<TRequest, TResponse>(HttpMethod method, string path, TRequest body,
        JsonTypeInfo<TRequest>? requestType, JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken,
        string clientName = HttpClientName)
    {
        for (var attempt = 0; ; attempt++)
        {
            var token = await GetTokenAsync(cancellationToken);
            using var request = new HttpRequestMessage(method, path);
            if (requestType is not null) request.Content = JsonContent.Create(body, requestType);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await factory.CreateClient(clientName).SendAsync(request, cancellationToken);
            if (response.StatusCode == HttpStatusCode.Unauthorized && attempt == 0)
            {
                // Token expired or the manager's secret changed: log in again, once.
                ForgetToken();
                continue;
            }
            await EnsureSuccessAsync(response, path, cancellationToken);
            return await response.Content.ReadFromJsonAsync(responseType, cancellationToken)
                ?? throw new ManagerStatusException(response.StatusCode, $"{path} answered with an empty body");
        }
    }

    private async Task<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_token is { } cached) return cached;
        await _login.WaitAsync(cancellationToken);
        try
        {
            if (_token is { } raced) return raced;
            var login = new TokenRequest("cluster", options.Value.AdminPassword ?? "", node.Value.EffectiveContainerName);
            using var response = await factory.CreateClient(HttpClientName).PostAsJsonAsync(
                "api/v1/auth/token", login, ProtocolJsonContext.Default.TokenRequest, cancellationToken);
            await EnsureSuccessAsync(response, "api/v1/auth/token", cancellationToken);
            var token = await response.Content.ReadFromJsonAsync(ProtocolJsonContext.Default.TokenResponse, cancellationToken);
            return _token = token?.AccessToken ?? throw new ManagerStatusException(response.StatusCode, "login answered without access_token");
        }
        finally
        {
            _login.Release();
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var hint = response.StatusCode == HttpStatusCode.Unauthorized && path.EndsWith("token", StringComparison.Ordinal)
            ? " (check ADMIN_PASSWORD)" : "";
        throw new ManagerStatusException(response.StatusCode,
            $"{path} answered {(int)response.StatusCode} {response.StatusCode}{hint}: {Truncate(body)}", RetryAfter(response));
    }

    // Only 429 and 503 carry a wait worth honouring; capped so a hostile or broken answer cannot park the node.
    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)) return null;
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return wait is { } w && w > TimeSpan.Zero ? (w < MaxRetryAfter ? w : MaxRetryAfter) : null;
    }

    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(5);

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
