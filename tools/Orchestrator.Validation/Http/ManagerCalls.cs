using System.Net;
using Orchestrator.Protocol.Client;
using Orchestrator.Protocol;
using Orchestrator.Validation.Phases;

namespace Orchestrator.Validation.Http;

// The operator's side of the manager API through Protocol's ManagerClient, logged in as admin (the seed's
// own client). Each call gets its own time limit, and every failure becomes a ValidationFailure naming the
// call, which WaitForAsync treats as "not yet" (a manager may be restarting).
public sealed class ManagerCalls(HttpClient http, Uri baseUrl, string adminPassword)
{
    private readonly ManagerClient _client = new(http, ManagerCredentials.Admin(adminPassword)) { BaseAddress = baseUrl };
    private readonly JsonHttp _raw = new(http);

    public Uri BaseUrl => baseUrl;

    public Uri Url(string path) => new(baseUrl, path);

    public Task<HttpAnswer> GetAnonymousAsync(string path, CancellationToken ct) => _raw.GetAsync(Url(path), null, ct);

    public Task<HealthResponse> HealthAsync(CancellationToken ct) => CallAsync(ManagerRoutes.Health, _client.GetHealthAsync, ct);

    public Task<TokenResponse> LoginAsync(CancellationToken ct) => CallAsync(ManagerRoutes.Token, _client.LoginAsync, ct);

    public Task<ClusterStatusResponse> StatusAsync(CancellationToken ct) => CallAsync(ManagerRoutes.Status, _client.GetStatusAsync, ct);

    public Task<IReadOnlyList<ContainerView>> ContainersAsync(CancellationToken ct) =>
        CallAsync(ManagerRoutes.Containers, token => _client.ListAllContainersAsync(cancellationToken: token), ct);

    public async Task<IReadOnlyList<ContainerCommunication>> CommunicationAsync(CancellationToken ct) =>
        (await CallAsync(ManagerRoutes.CommunicationStats, _client.GetCommunicationStatsAsync, ct)).Containers;

    public Task<DeployResponse> DeployAsync(DeployRequest request, CancellationToken ct) =>
        CallAsync(ManagerRoutes.Deploy, token => _client.DeployAsync(request, cancellationToken: token), ct);

    // null when the manager does not know the agent.
    public Task<AgentView?> AgentAsync(string agentId, CancellationToken ct) => CallAsync(ManagerRoutes.Agent, async token =>
    {
        try
        {
            return await _client.GetAgentAsync(agentId, token);
        }
        catch (ManagerProblemException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }, ct);

    // Already gone counts as deleted.
    public Task DeleteAgentAsync(string agentId, CancellationToken ct) => CallAsync(ManagerRoutes.Agent, async token =>
    {
        try
        {
            await _client.DeleteAgentAsync(agentId, token);
        }
        catch (ManagerProblemException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
        }
        return true;
    }, ct);

    private async Task<T> CallAsync<T>(string route, Func<CancellationToken, Task<T>> call, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(JsonHttp.CallTimeout);
        try
        {
            return await call(limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new ValidationFailure($"{Url(route)}: no answer within {JsonHttp.CallTimeout.TotalSeconds:0}s");
        }
        catch (HttpRequestException ex)
        {
            throw new ValidationFailure($"{Url(route)}: {ex.Message}");
        }
        catch (ManagerProblemException ex) when (ex.StatusCode == HttpStatusCode.Unauthorized && ex.Path == ManagerRoutes.Token)
        {
            throw new ValidationFailure($"{Url(route)}: 401, the manager refused ADMIN_PASSWORD (give the manager's own)");
        }
        catch (ManagerProblemException ex)
        {
            throw new ValidationFailure($"{baseUrl}: {ex.Message}");
        }
    }
}
