using System.Net;
using System.Text.Json;
using Orchestrator.Validation.Phases;

namespace Orchestrator.Validation.Http;

// The operator's side of the manager API, logged in as admin (the seed's own client).
public sealed class ManagerClient(JsonHttp http, Uri baseUrl, string adminPassword)
{
    private static readonly ValidationJsonContext Json = ValidationJsonContext.Default;
    private string? _token;

    public Uri BaseUrl => baseUrl;

    public Uri Url(string path) => new(baseUrl, path);

    public Task<HttpAnswer> GetAnonymousAsync(string path, CancellationToken ct) => http.GetAsync(Url(path), null, ct);

    public async Task<HealthResponse> HealthAsync(CancellationToken ct) =>
        (await http.GetAsync(Url("/health"), null, ct)).Read(Json.HealthResponse);

    public async Task<string> LoginAsync(CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(new TokenRequest("admin", adminPassword), Json.TokenRequest);
        var answer = await http.SendAsync(HttpMethod.Post, Url("/api/v1/auth/token"), null, body, ct);
        if (answer.Status == HttpStatusCode.Unauthorized)
            throw new ValidationFailure($"{answer.Call}: 401, the manager refused ADMIN_PASSWORD (give the manager's own)");
        var token = answer.Read(Json.TokenResponse);
        return _token = token.AccessToken;
    }

    // Admin call; logs in on first use and again once after a 401 (a restarted manager, an expired token).
    public async Task<HttpAnswer> SendAsync(HttpMethod method, string path, string? json, CancellationToken ct)
    {
        var answer = await http.SendAsync(method, Url(path), _token ?? await LoginAsync(ct), json, ct);
        return answer.Status == HttpStatusCode.Unauthorized
            ? await http.SendAsync(method, Url(path), await LoginAsync(ct), json, ct)
            : answer;
    }

    public async Task<IReadOnlyList<ContainerInfo>> ContainersAsync(CancellationToken ct) =>
        (await SendAsync(HttpMethod.Get, "/api/v1/cluster/containers", null, ct)).Read(Json.ContainerList).Containers;

    public async Task<IReadOnlyList<ContainerCommunication>> CommunicationAsync(CancellationToken ct) =>
        (await SendAsync(HttpMethod.Get, "/api/v1/cluster/communication/stats", null, ct)).Read(Json.CommunicationStats).Containers;

    public async Task<DeployResponse> DeployAsync(DeployRequest request, CancellationToken ct) =>
        (await SendAsync(HttpMethod.Post, "/api/v1/cluster/agents/deploy", JsonSerializer.Serialize(request, Json.DeployRequest), ct))
            .Read(Json.DeployResponse);

    public async Task<ManagerAgent?> AgentAsync(string agentId, CancellationToken ct)
    {
        var answer = await SendAsync(HttpMethod.Get, $"/api/v1/cluster/agents/{Uri.EscapeDataString(agentId)}", null, ct);
        return answer.Status == HttpStatusCode.NotFound ? null : answer.Read(Json.ManagerAgent);
    }

    public async Task DeleteAgentAsync(string agentId, CancellationToken ct)
    {
        var answer = await SendAsync(HttpMethod.Delete, $"/api/v1/cluster/agents/{Uri.EscapeDataString(agentId)}", null, ct);
        if (!answer.Ok && answer.Status != HttpStatusCode.NotFound)
            throw new ValidationFailure($"{answer.Call}: {(int)answer.Status} {answer.Status}{answer.Excerpt()}");
    }
}
