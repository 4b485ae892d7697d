using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Orchestrator.Protocol;

namespace Orchestrator.Testing.Cluster;

// The manager's admin API as an operator calls it, answering with Orchestrator.Protocol's records. Logs in
// on first use and again after a 401 (a restarted manager keeps the JWT secret, so tokens usually survive).
// Method names follow Orchestrator.Protocol's ManagerClient, which this gives way to once it is on main.
public sealed class ManagerApi(string baseUrl, HttpClient http, string adminPassword)
{
    private static readonly ProtocolJsonContext Json = ProtocolJsonContext.Default;

    private string? _token;

    public string BaseUrl => baseUrl;

    // POST deploy; throws with the body unless 201.
    public async Task<DeployResponse> DeployAsync(DeployRequest request)
    {
        using var response = await SendAsync(HttpMethod.Post, ManagerRoutes.Deploy, JsonContent.Create(request, Json.DeployRequest));
        return await ReadAsync(response, ManagerRoutes.Deploy, Json.DeployResponse, HttpStatusCode.Created);
    }

    public Task<AgentListResponse> ListAgentsAsync() => GetAsync(ManagerRoutes.Agents, Json.AgentListResponse);

    public Task<AgentView> GetAgentAsync(string agentId) => GetAsync(ManagerRoutes.WithId(ManagerRoutes.Agent, agentId), Json.AgentView);

    public async Task DeleteAgentAsync(string agentId)
    {
        using var response = await SendAsync(HttpMethod.Delete, ManagerRoutes.WithId(ManagerRoutes.Agent, agentId));
        if (!response.IsSuccessStatusCode) throw await FailureAsync(response, ManagerRoutes.Agent);
    }

    public async Task<IReadOnlyList<ContainerView>> ListAllContainersAsync()
    {
        var all = new List<ContainerView>();
        string? cursor = null;
        do
        {
            var page = await GetAsync(ManagerRoutes.Containers + (cursor is null ? "" : "?cursor=" + Uri.EscapeDataString(cursor)), Json.ContainerListResponse);
            all.AddRange(page.Containers);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return all;
    }

    public Task<ClusterStatusResponse> GetStatusAsync() => GetAsync(ManagerRoutes.Status, Json.ClusterStatusResponse);

    private async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type)
    {
        using var response = await SendAsync(HttpMethod.Get, path);
        return await ReadAsync(response, path, type, HttpStatusCode.OK);
    }

    // Any call as the admin, for answers a test inspects itself (refusals, raw bodies).
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, System.Text.Json.Nodes.JsonNode body) =>
        SendAsync(method, path, JsonContent.Create(body));

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? body = null)
    {
        var content = body is null ? null : await body.ReadAsByteArrayAsync();
        var response = await SendOnceAsync(method, path, content, body?.Headers.ContentType);
        if (response.StatusCode != HttpStatusCode.Unauthorized) return response;
        response.Dispose();
        _token = null;
        return await SendOnceAsync(method, path, content, body?.Headers.ContentType);
    }

    private async Task<HttpResponseMessage> SendOnceAsync(HttpMethod method, string path, byte[]? body, MediaTypeHeaderValue? contentType)
    {
        _token ??= await LoginAsync();
        using var request = new HttpRequestMessage(method, baseUrl + path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _token);
        if (body is not null) request.Content = new ByteArrayContent(body) { Headers = { ContentType = contentType } };
        return await http.SendAsync(request);
    }

    private async Task<string> LoginAsync()
    {
        using var response = await http.PostAsJsonAsync(baseUrl + ManagerRoutes.Token, TokenRequest.ForAdmin(adminPassword), Json.TokenRequest);
        return (await ReadAsync(response, ManagerRoutes.Token, Json.TokenResponse, HttpStatusCode.OK)).AccessToken;
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, string path, JsonTypeInfo<T> type, HttpStatusCode expected)
    {
        if (response.StatusCode != expected) throw await FailureAsync(response, path);
        return await response.Content.ReadFromJsonAsync(type) ?? throw new JsonException($"{path}: null body");
    }

    private static async Task<HttpRequestException> FailureAsync(HttpResponseMessage response, string path) =>
        new($"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}", null, response.StatusCode);
}
