using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Orchestrator.Protocol.Client;

// The manager's HTTP API (docs/protocol.md), call by call, for nodes, tools and tests. Logs in on first
// use with whatever the credentials supply, and once more on a 401 (expired token, restarted manager with a
// new secret), then repeats the call. Any other error status throws ManagerProblemException.
public sealed class ManagerClient
{
    private static readonly ProtocolJsonContext Json = ProtocolJsonContext.Default;

    private readonly Func<HttpClient> _http;
    private readonly Func<HttpClient> _longPoll;
    private readonly IManagerCredentials _credentials;
    private readonly SemaphoreSlim _login = new(1, 1);
    private string? _token;

    // http's BaseAddress is the manager's URL. longPoll, when given, serves the assignments long-poll:
    // its timeout must exceed the longest wait, unlike an ordinary call's.
    public ManagerClient(HttpClient http, IManagerCredentials credentials, HttpClient? longPoll = null)
        : this(() => http, credentials, longPoll is null ? null : () => longPoll)
    {
    }

    // For IHttpClientFactory: a client is asked for per call, so handler rotation keeps working.
    public ManagerClient(Func<HttpClient> http, IManagerCredentials credentials, Func<HttpClient>? longPoll = null)
    {
        _http = http;
        _longPoll = longPoll ?? http;
        _credentials = credentials;
    }

    // The manager's URL, for an HttpClient shared with other hosts (no BaseAddress of its own).
    public Uri? BaseAddress { get; init; }

    public void ForgetToken() => _token = null;

    // A token obtained earlier (the CLI's saved login, the console's session): used until a 401, and only
    // then are the credentials asked for a new login.
    public void UseToken(string token) => _token = token;

    // The bearer token, logging in first if there is none (for callers that make their own requests).
    public async Task<string> GetTokenAsync(CancellationToken cancellationToken = default)
    {
        if (_token is { } cached) return cached;
        await _login.WaitAsync(cancellationToken);
        try
        {
            return _token ?? (await LoginAsync(cancellationToken)).AccessToken;
        }
        finally
        {
            _login.Release();
        }
    }

    // Logs in now, whatever the cached token, and keeps the new one.
    public async Task<TokenResponse> LoginAsync(CancellationToken cancellationToken = default)
    {
        var login = await _credentials.GetLoginAsync(cancellationToken);
        using var response = await _http().PostAsJsonAsync(Url(ManagerRoutes.Token), login, Json.TokenRequest, cancellationToken);
        TokenResponse token;
        try
        {
            token = await ReadAsync(response, HttpMethod.Post, ManagerRoutes.Token, Json.TokenResponse, cancellationToken);
        }
        catch (ManagerProblemException refused)
        {
            _credentials.LoginRefused(refused);
            throw;
        }
        _token = token.AccessToken;
        return token;
    }

    public Task<RegisterContainerResponse> RegisterAsync(RegisterContainerRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ManagerRoutes.Register, request, Json.RegisterContainerRequest, Json.RegisterContainerResponse, cancellationToken);

    public Task<HeartbeatResponse> HeartbeatAsync(string containerId, HeartbeatRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ManagerRoutes.WithId(ManagerRoutes.Heartbeat, containerId), request, Json.HeartbeatRequest,
            Json.HeartbeatResponse, cancellationToken);

    // Held by the manager up to `wait` seconds until the generation exceeds `since` (absent: answers at once).
    public Task<AssignmentsResponse> GetAssignmentsAsync(string containerId, long? since = null, int? waitSeconds = null,
        CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.WithId(ManagerRoutes.Assignments, containerId)
            + Query(("since", since?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("wait", waitSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            Json.AssignmentsResponse, cancellationToken, longPoll: true);

    public Task<AgentReportResponse> ReportAgentsAsync(string containerId, AgentReportRequest report, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ManagerRoutes.WithId(ManagerRoutes.AgentReport, containerId), report, Json.AgentReportRequest,
            Json.AgentReportResponse, cancellationToken);

    // One agent's next log lines from the node that runs it; answers the highest sequence the manager holds.
    public Task<LogBatchResponse> ShipLogsAsync(string containerId, LogBatchRequest batch, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ManagerRoutes.WithId(ManagerRoutes.ContainerLogs, containerId), batch, Json.LogBatchRequest,
            Json.LogBatchResponse, cancellationToken);

    // The node's journal (issue 29): the last entry the manager holds, and an upload of the entries after it.
    public Task<JournalAck> GetJournalAckAsync(string containerId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.WithId(ManagerRoutes.ContainerJournal, containerId), Json.JournalAck, cancellationToken);

    public Task<JournalAck> UploadJournalAsync(string containerId, JournalUploadRequest upload, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ManagerRoutes.WithId(ManagerRoutes.ContainerJournal, containerId), upload, Json.JournalUploadRequest,
            Json.JournalAck, cancellationToken);

    public Task<AgentLogsResponse> GetAgentLogsAsync(string agentId, int? tail = null, DateTimeOffset? since = null,
        CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.WithId(ManagerRoutes.AgentLogs, agentId)
            + Query(("tail", tail?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("since", since?.ToString("O"))),
            Json.AgentLogsResponse, cancellationToken);

    // The agent's last `tail` lines, then each new one as it arrives (follow=true, server-sent events).
    public async IAsyncEnumerable<LogLine> FollowAgentLogsAsync(string agentId, int? tail = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var path = ManagerRoutes.WithId(ManagerRoutes.AgentLogs, agentId)
            + Query(("follow", "true"), ("tail", tail?.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var response = await SendRawAsync(HttpMethod.Get, path, null,
            h => h.Accept.Add(new MediaTypeWithQualityHeaderValue(ServerSentEvents.MediaType)),
            longPoll: true, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode) throw await ProblemAsync(response, HttpMethod.Get, path, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var data in ServerSentEvents.ReadDataAsync(body, cancellationToken))
        {
            if (JsonSerializer.Deserialize(data, Json.LogLine) is { } line) yield return line;
        }
    }

    public Task<DeployResponse> DeployAsync(DeployRequest request, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ManagerRoutes.Deploy, request, Json.DeployRequest, Json.DeployResponse, cancellationToken,
            headers: idempotencyKey is null ? null : h => h.Add(ManagerRoutes.IdempotencyKeyHeader, idempotencyKey));

    // One page; follow NextCursor (or use ListAllContainersAsync) for the rest.
    public Task<ContainerListResponse> ListContainersAsync(string? status = null, int? limit = null, string? cursor = null,
        CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.Containers
            + Query(("status", status), ("limit", limit?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("cursor", cursor)),
            Json.ContainerListResponse, cancellationToken);

    public async Task<IReadOnlyList<ContainerView>> ListAllContainersAsync(string? status = null, CancellationToken cancellationToken = default)
    {
        var all = new List<ContainerView>();
        string? cursor = null;
        do
        {
            var page = await ListContainersAsync(status, cursor: cursor, cancellationToken: cancellationToken);
            all.AddRange(page.Containers);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return all;
    }

    public Task<ContainerView> GetContainerAsync(string containerId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.WithId(ManagerRoutes.Container, containerId), Json.ContainerView, cancellationToken);

    public Task DeleteContainerAsync(string containerId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, ManagerRoutes.WithId(ManagerRoutes.Container, containerId), cancellationToken);

    // One page (the first 1000 unless limit says otherwise); ListAllAgentsAsync follows next_cursor.
    public Task<AgentListResponse> ListAgentsAsync(string? containerId = null, string? agentType = null, string? state = null,
        int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.Agents + Query(("container_id", containerId), ("agent_type", agentType), ("state", state),
            ("limit", limit?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("cursor", cursor)),
            Json.AgentListResponse, cancellationToken);

    public async Task<IReadOnlyList<AgentView>> ListAllAgentsAsync(string? containerId = null, string? agentType = null, string? state = null,
        CancellationToken cancellationToken = default)
    {
        var all = new List<AgentView>();
        string? cursor = null;
        do
        {
            var page = await ListAgentsAsync(containerId, agentType, state, cursor: cursor, cancellationToken: cancellationToken);
            all.AddRange(page.Agents);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return all;
    }

    public Task<AgentView> GetAgentAsync(string agentId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.WithId(ManagerRoutes.Agent, agentId), Json.AgentView, cancellationToken);

    public Task DeleteAgentAsync(string agentId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, ManagerRoutes.WithId(ManagerRoutes.Agent, agentId), cancellationToken);

    // Anonymous: the enrollment token is the credential. The answer's credential is shown only this once.
    public async Task<EnrollResponse> EnrollAsync(EnrollRequest request, CancellationToken cancellationToken = default)
    {
        using var response = await _http().PostAsJsonAsync(Url(ManagerRoutes.Enroll), request, Json.EnrollRequest, cancellationToken);
        return await ReadAsync(response, HttpMethod.Post, ManagerRoutes.Enroll, Json.EnrollResponse, cancellationToken);
    }

    public Task<EnrollmentTokenCreated> CreateEnrollmentTokenAsync(CreateEnrollmentTokenRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ManagerRoutes.EnrollmentTokens, request, Json.CreateEnrollmentTokenRequest, Json.EnrollmentTokenCreated, cancellationToken);

    public Task<EnrollmentTokenListResponse> ListEnrollmentTokensAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.EnrollmentTokens, Json.EnrollmentTokenListResponse, cancellationToken);

    public Task DeleteEnrollmentTokenAsync(string tokenId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, ManagerRoutes.WithId(ManagerRoutes.EnrollmentToken, tokenId), cancellationToken);

    public Task<RevokeResponse> RevokeContainerAsync(string containerId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ManagerRoutes.WithId(ManagerRoutes.Revoke, containerId), null, Json.RevokeResponse, cancellationToken);

    // Restart in place (issue 25): same spec, next epoch; force overrides the agent's update lock for this start.
    public Task<RestartAgentResponse> RestartAgentAsync(string agentId, bool force = false, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ManagerRoutes.WithId(ManagerRoutes.AgentRestart, agentId), new RestartAgentRequest(force), Json.RestartAgentRequest,
            Json.RestartAgentResponse, cancellationToken);

    // Deployments (issue 25).
    public Task<DeploymentView> CreateDeploymentAsync(CreateDeploymentRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ManagerRoutes.Deployments, request, Json.CreateDeploymentRequest, Json.DeploymentView, cancellationToken);

    public Task<DeploymentListResponse> ListDeploymentsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.Deployments, Json.DeploymentListResponse, cancellationToken);

    public Task<DeploymentView> GetDeploymentAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.WithId(ManagerRoutes.Deployment, id), Json.DeploymentView, cancellationToken);

    public Task<DeploymentView> UpdateDeploymentAsync(string id, UpdateDeploymentRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, ManagerRoutes.WithId(ManagerRoutes.Deployment, id), request, Json.UpdateDeploymentRequest, Json.DeploymentView,
            cancellationToken);

    public Task DeleteDeploymentAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, ManagerRoutes.WithId(ManagerRoutes.Deployment, id), cancellationToken);

    public Task<RevisionListResponse> GetRevisionsAsync(string id, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.WithId(ManagerRoutes.DeploymentRevisions, id), Json.RevisionListResponse, cancellationToken);

    // promote, pause, resume (route: ManagerRoutes.DeploymentPromote, ...), or revert with ?revision=N.
    public Task<DeploymentView> SteerDeploymentAsync(string route, string id, long? revision = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ManagerRoutes.WithId(route, id) + Query(("revision", revision?.ToString(System.Globalization.CultureInfo.InvariantCulture))),
            null, Json.DeploymentView, cancellationToken);

    // Cordon or uncordon a container (writers of its tenant); answers the container as it is now.
    public Task<ContainerView> SetEligibilityAsync(string containerId, SetEligibilityRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, ManagerRoutes.WithId(ManagerRoutes.ContainerEligibility, containerId), request, Json.SetEligibilityRequest,
            Json.ContainerView, cancellationToken);

    // Drain a container (issue 27): cordoned, its reschedule agents moved off; the answer's `drain` shows progress.
    public Task<ContainerView> DrainContainerAsync(string containerId, DrainRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ManagerRoutes.WithId(ManagerRoutes.ContainerDrain, containerId), request, Json.DrainRequest,
            Json.ContainerView, cancellationToken);

    // Stop an agent and keep its data, or start it again (desired_state); force: do not wait for its update lock.
    public Task<AgentView> StopAgentAsync(string agentId, bool force = false, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ManagerRoutes.WithId(ManagerRoutes.AgentStop, agentId), new AgentLifecycleRequest(force ? true : null),
            Json.AgentLifecycleRequest, Json.AgentView, cancellationToken);

    public Task<AgentView> StartAgentAsync(string agentId, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ManagerRoutes.WithId(ManagerRoutes.AgentStart, agentId), new AgentLifecycleRequest(),
            Json.AgentLifecycleRequest, Json.AgentView, cancellationToken);

    public Task<ClusterStatusResponse> GetStatusAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.Status, Json.ClusterStatusResponse, cancellationToken);

    // issue 27 (s8/connection): the version policy and nodes counted by version; a tenant's maintenance windows.
    public Task<ClusterVersionsResponse> GetVersionsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.Versions, Json.ClusterVersionsResponse, cancellationToken);

    public Task<MaintenanceView> GetMaintenanceAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.WithId(ManagerRoutes.TenantMaintenance, tenant), Json.MaintenanceView, cancellationToken);

    public Task<MaintenanceView> PutMaintenanceAsync(string tenant, MaintenanceRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, ManagerRoutes.WithId(ManagerRoutes.TenantMaintenance, tenant), request, Json.MaintenanceRequest, Json.MaintenanceView,
            cancellationToken);

    public Task<DistributionResponse> GetDistributionAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.Distribution, Json.DistributionResponse, cancellationToken);

    public Task<CommunicationStatsResponse> GetCommunicationStatsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.CommunicationStats, Json.CommunicationStatsResponse, cancellationToken);

    // Scoped operators (admin only). The answer's api_key is shown only this once.
    public Task<OperatorCreated> CreateOperatorAsync(CreateOperatorRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ManagerRoutes.Operators, request, Json.CreateOperatorRequest, Json.OperatorCreated, cancellationToken);

    public Task<OperatorListResponse> ListOperatorsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.Operators, Json.OperatorListResponse, cancellationToken);

    public Task DeleteOperatorAsync(string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, ManagerRoutes.Operator.Replace("{name}", Uri.EscapeDataString(name), StringComparison.Ordinal), cancellationToken);

    // Rescheduling held fleet-wide (admin): by an operator, or the automatic mass-disconnect pause.
    public Task<ReschedulingPauseView> PauseReschedulingAsync(PauseReschedulingRequest request, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ManagerRoutes.ReschedulingPause, request, Json.PauseReschedulingRequest, Json.ReschedulingPauseView, cancellationToken);

    public Task ResumeReschedulingAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Post, ManagerRoutes.ReschedulingResume, cancellationToken);

    // A tenant's secrets: write-only, so nothing here ever reads a value back.
    public Task<SecretView> PutSecretAsync(string tenant, string name, string value, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Put, SecretRoute(tenant, name), new PutSecretRequest(value), Json.PutSecretRequest, Json.SecretView, cancellationToken);

    public Task<SecretListResponse> ListSecretsAsync(string tenant, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.TenantSecrets.Replace("{id}", Uri.EscapeDataString(tenant), StringComparison.Ordinal),
            Json.SecretListResponse, cancellationToken);

    public Task DeleteSecretAsync(string tenant, string name, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Delete, SecretRoute(tenant, name), cancellationToken);

    private static string SecretRoute(string tenant, string name) =>
        ManagerRoutes.TenantSecret.Replace("{id}", Uri.EscapeDataString(tenant), StringComparison.Ordinal)
            .Replace("{name}", Uri.EscapeDataString(name), StringComparison.Ordinal);

    public Task<TenantListResponse> ListTenantsAsync(CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.Tenants, Json.TenantListResponse, cancellationToken);

    // One page of the audit log, newest first; follow NextCursor for older entries.
    public Task<AuditPage> GetAuditAsync(string? tenant = null, string? actor = null, string? action = null, DateTimeOffset? since = null,
        int? limit = null, string? cursor = null, CancellationToken cancellationToken = default) =>
        SendAsync(HttpMethod.Get, ManagerRoutes.Audit + Query(("tenant", tenant), ("actor", actor), ("action", action),
                ("since", since?.ToString("O", System.Globalization.CultureInfo.InvariantCulture)),
                ("limit", limit?.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("cursor", cursor)),
            Json.AuditPage, cancellationToken);

    // Anonymous; 503 (unhealthy) still carries the report, so it is returned rather than thrown.
    public async Task<HealthResponse> GetHealthAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http().GetAsync(Url(ManagerRoutes.Health), cancellationToken);
        if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            return await response.Content.ReadFromJsonAsync(Json.HealthResponse, cancellationToken)
                ?? throw await ProblemAsync(response, HttpMethod.Get, ManagerRoutes.Health, cancellationToken);
        return await ReadAsync(response, HttpMethod.Get, ManagerRoutes.Health, Json.HealthResponse, cancellationToken);
    }

    // The live event stream (server-sent events), from just after lastEventId when given (Last-Event-ID), or
    // from now. Ends when the manager closes the stream; the caller reconnects with the last id it saw.
    // Served on the long-poll client: the stream outlives an ordinary call's timeout.
    public async IAsyncEnumerable<ManagerEvent> StreamEventsAsync(string? lastEventId = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var response = await SendRawAsync(HttpMethod.Get, ManagerRoutes.Events, null, h =>
        {
            h.Accept.Add(new MediaTypeWithQualityHeaderValue(ServerSentEvents.MediaType));
            if (lastEventId is not null) h.Add(ServerSentEvents.LastEventIdHeader, lastEventId);
        }, longPoll: true, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode) throw await ProblemAsync(response, HttpMethod.Get, ManagerRoutes.Events, cancellationToken);
        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        await foreach (var data in ServerSentEvents.ReadDataAsync(body, cancellationToken))
        {
            if (JsonSerializer.Deserialize(data, Json.ManagerEvent) is { } managerEvent) yield return managerEvent;
        }
    }

    private Task<TResponse> SendAsync<TRequest, TResponse>(HttpMethod method, string path, TRequest body, JsonTypeInfo<TRequest> requestType,
        JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken, Action<HttpRequestHeaders>? headers = null) =>
        SendAsync(method, path, () => JsonContent.Create(body, requestType), responseType, cancellationToken, headers);

    private Task<TResponse> SendAsync<TResponse>(HttpMethod method, string path, JsonTypeInfo<TResponse> responseType,
        CancellationToken cancellationToken, bool longPoll = false) =>
        SendAsync(method, path, null, responseType, cancellationToken, longPoll: longPoll);

    private async Task SendAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, path, null, null, false, cancellationToken);
        if (!response.IsSuccessStatusCode) throw await ProblemAsync(response, method, path, cancellationToken);
    }

    private async Task<TResponse> SendAsync<TResponse>(HttpMethod method, string path, Func<HttpContent>? content,
        JsonTypeInfo<TResponse> responseType, CancellationToken cancellationToken, Action<HttpRequestHeaders>? headers = null, bool longPoll = false)
    {
        using var response = await SendRawAsync(method, path, content, headers, longPoll, cancellationToken);
        return await ReadAsync(response, method, path, responseType, cancellationToken);
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, Func<HttpContent>? content,
        Action<HttpRequestHeaders>? headers, bool longPoll, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        for (var attempt = 0; ; attempt++)
        {
            var token = await GetTokenAsync(cancellationToken);
            using var request = new HttpRequestMessage(method, Url(path)) { Content = content?.Invoke() };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            headers?.Invoke(request.Headers);
            var response = await (longPoll ? _longPoll() : _http()).SendAsync(request, completion, cancellationToken);
            if (response.StatusCode != HttpStatusCode.Unauthorized || attempt > 0) return response;
            // Token expired or the manager's secret changed: log in again, once.
            response.Dispose();
            if (_token == token) ForgetToken();
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, HttpMethod method, string path, JsonTypeInfo<T> type,
        CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode) throw await ProblemAsync(response, method, path, cancellationToken);
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken) ?? throw new JsonException("the body is null");
        }
        catch (JsonException ex)
        {
            throw new ManagerProblemException(method, path, response.StatusCode, null, $"unexpected body ({ex.Message})");
        }
    }

    private static async Task<ManagerProblemException> ProblemAsync(HttpResponseMessage response, HttpMethod method, string path,
        CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        ProblemDocument? problem = null;
        if (body.Length > 0 && response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
        {
            try
            {
                problem = JsonSerializer.Deserialize(body, Json.ProblemDocument);
            }
            catch (JsonException)
            {
                // Not a problem document after all: the message quotes the body instead.
            }
        }
        return new ManagerProblemException(method, path, response.StatusCode, problem, body, RetryAfter(response));
    }

    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromMinutes(5);

    // Only 429 and 503 carry a wait worth honouring; capped so a broken or hostile answer cannot park a client.
    private static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable)) return null;
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        return wait is { } w && w > TimeSpan.Zero ? (w < MaxRetryAfter ? w : MaxRetryAfter) : null;
    }

    // Relative to the base address, so a manager behind a path prefix (https://host/orchestrator/) works too.
    private Uri Url(string path)
    {
        var relative = new Uri(path.TrimStart('/'), UriKind.Relative);
        return BaseAddress is null ? relative : new Uri(BaseAddress, relative);
    }

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var given = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToList();
        return given.Count == 0 ? "" : "?" + string.Join('&', given);
    }
}
