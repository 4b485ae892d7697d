using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Connection;

// The manager's HTTP API as docs/protocol.md describes it. Holds the cluster token; on a 401 it logs
// in again once and repeats the call. Failures surface as exceptions for the caller's retry policy.
// It logs in with the node's own credential (DATA_DIR), enrolling first with ENROLLMENT_TOKEN when none is
// saved; the seed's shared ADMIN_PASSWORD only when ALLOW_SHARED_PASSWORD_NODES is on.
public sealed class ManagerClient(IHttpClientFactory factory, IOptions<ManagerConnectionOptions> options, IOptions<NodeOptions> node,
    IOptions<RuntimeOptions> runtime, ILogger<ManagerClient> logger)
{
    public const string HttpClientName = "manager";

    // The assignments long-poll: its timeout is the longest wait plus a margin (see AddManagerConnection).
    public const string LongPollClientName = "manager-long-poll";

    private readonly SemaphoreSlim _login = new(1, 1);
    private bool _sharedPassword;
    private string? _token;

    public void ForgetToken() => _token = null;

    public Task<RegistrationResponse> RegisterAsync(RegistrationRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "api/v1/cluster/containers/register", request,
            ManagerJsonContext.Default.RegistrationRequest, ManagerJsonContext.Default.RegistrationResponse, cancellationToken);

    public Task<HeartbeatResponse> HeartbeatAsync(HeartbeatRequest request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"api/v1/cluster/containers/{Uri.EscapeDataString(request.ContainerId)}/heartbeat", request,
            ManagerJsonContext.Default.HeartbeatRequest, ManagerJsonContext.Default.HeartbeatResponse, cancellationToken);

    public Task<AssignmentsResponse> GetAssignmentsAsync(string containerId, long since, int waitSeconds, CancellationToken cancellationToken) =>
        SendAsync<object?, AssignmentsResponse>(HttpMethod.Get,
            $"api/v1/cluster/containers/{Uri.EscapeDataString(containerId)}/assignments?since={since}&wait={waitSeconds}", null, null,
            AssignmentJsonContext.Default.AssignmentsResponse, cancellationToken, LongPollClientName);

    public Task<AgentReportResponse> ReportAgentsAsync(AgentReportRequest report, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"api/v1/cluster/containers/{Uri.EscapeDataString(report.ContainerId)}/agents/report", report,
            AssignmentJsonContext.Default.AgentReportRequest, AssignmentJsonContext.Default.AgentReportResponse, cancellationToken);

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
            var login = new TokenRequest("cluster", await PasswordAsync(cancellationToken), node.Value.EffectiveContainerName);
            using var response = await factory.CreateClient(HttpClientName).PostAsJsonAsync(
                "api/v1/auth/token", login, ManagerJsonContext.Default.TokenRequest, cancellationToken);
            await EnsureSuccessAsync(response, "api/v1/auth/token", cancellationToken);
            var token = await response.Content.ReadFromJsonAsync(ManagerJsonContext.Default.TokenResponse, cancellationToken);
            return _token = token?.AccessToken ?? throw new ManagerStatusException(response.StatusCode, "login answered without access_token");
        }
        finally
        {
            _login.Release();
        }
    }

    // Registration body for enrollment; set by the connection service (it knows the node's readings).
    public Func<RegistrationRequest>? RegistrationSource { get; set; }

    private async Task<string> PasswordAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var dataDirectory = runtime.Value.DataDirectory;
        if (NodeCredentialFile.Read(dataDirectory) is { } credential) return credential;
        if (settings.EnrollmentToken is { Length: > 0 } token) return await EnrollAsync(token, dataDirectory, cancellationToken);
        if (settings.AllowSharedPassword && settings.AdminPassword is { Length: > 0 } shared)
        {
            _sharedPassword = true;
            return shared;
        }
        throw new InvalidOperationException("No node credential is saved and no ENROLLMENT_TOKEN is set: enroll this node with an enrollment token.");
    }

    private async Task<string> EnrollAsync(string token, string dataDirectory, CancellationToken cancellationToken)
    {
        var registration = (RegistrationSource ?? throw new InvalidOperationException("No registration source set"))();
        var request = new EnrollRequest(token, registration.ContainerName, registration.HostAddress, registration.ApiPort,
            registration.Capabilities, registration.Resources, registration.Metadata, registration.MaxAgents);
        using var response = await factory.CreateClient(HttpClientName).PostAsJsonAsync(
            "api/v1/cluster/enroll", request, EnrollmentJsonContext.Default.EnrollRequest, cancellationToken);
        await EnsureSuccessAsync(response, "api/v1/cluster/enroll", cancellationToken);
        var enrolled = await response.Content.ReadFromJsonAsync(EnrollmentJsonContext.Default.EnrollResponse, cancellationToken)
            ?? throw new ManagerStatusException(response.StatusCode, "enroll answered with an empty body");
        NodeCredentialFile.Write(dataDirectory, enrolled.Credential);
        logger.LogInformation("Enrolled as container {ContainerId} (orchestrator_id {OrchestratorId}); credential saved to {Path}",
            enrolled.ContainerId, enrolled.OrchestratorId, NodeCredentialFile.PathIn(dataDirectory));
        return enrolled.Credential;
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string path, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var hint = response.StatusCode == HttpStatusCode.Unauthorized && path.EndsWith("token", StringComparison.Ordinal)
            ? _sharedPassword ? " (check ADMIN_PASSWORD)"
                : " (the node's credential was refused: revoked or deleted; enroll again with a new ENROLLMENT_TOKEN)"
            : response.StatusCode == HttpStatusCode.Unauthorized && path.EndsWith("enroll", StringComparison.Ordinal)
                ? " (ENROLLMENT_TOKEN refused: ask the vendor for a new one)" : "";
        throw new ManagerStatusException(response.StatusCode,
            $"{path} answered {(int)response.StatusCode} {response.StatusCode}{hint}: {Truncate(body)}");
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "...";
}
