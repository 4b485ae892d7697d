using System.Net.Http.Json;
using System.Text.Json.Serialization.Metadata;
using Orchestrator.Protocol;

namespace Orchestrator.Tests.Manager;

// Typed reads of the manager's answers for tests that hold a raw HttpClient (they also assert on status
// codes and bad bodies): each asserts success and deserializes with Orchestrator.Protocol's records.
public static class ManagerCalls
{
    private static readonly ProtocolJsonContext Json = ProtocolJsonContext.Default;

    public static async Task<T> ReadAsync<T>(this HttpResponseMessage response, JsonTypeInfo<T> type)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {(int)response.StatusCode} {body}");
        return System.Text.Json.JsonSerializer.Deserialize(body, type)!;
    }

    public static async Task<T> GetAsync<T>(this HttpClient client, string path, JsonTypeInfo<T> type) =>
        await (await client.GetAsync(path)).ReadAsync(type);

    public static Task<ContainerView> GetContainerAsync(this HttpClient client, string containerId) =>
        client.GetAsync(ManagerRoutes.WithId(ManagerRoutes.Container, containerId), Json.ContainerView);

    public static Task<ContainerListResponse> ListContainersAsync(this HttpClient client, string query = "") =>
        client.GetAsync(ManagerRoutes.Containers + query, Json.ContainerListResponse);

    public static Task<AgentView> GetAgentAsync(this HttpClient client, string agentId) =>
        client.GetAsync(ManagerRoutes.WithId(ManagerRoutes.Agent, agentId), Json.AgentView);

    public static Task<AgentListResponse> ListAgentsAsync(this HttpClient client, string query = "") =>
        client.GetAsync(ManagerRoutes.Agents + query, Json.AgentListResponse);

    public static Task<ClusterStatusResponse> GetStatusAsync(this HttpClient client) =>
        client.GetAsync(ManagerRoutes.Status, Json.ClusterStatusResponse);

    public static Task<DistributionResponse> GetDistributionAsync(this HttpClient client) =>
        client.GetAsync(ManagerRoutes.Distribution, Json.DistributionResponse);

    public static Task<CommunicationStatsResponse> GetCommunicationStatsAsync(this HttpClient client) =>
        client.GetAsync(ManagerRoutes.CommunicationStats, Json.CommunicationStatsResponse);

    // An answer that returns at once (wait=0) unless since is given.
    public static Task<AssignmentsResponse> GetAssignmentsAsync(this HttpClient client, string containerId, string query = "?wait=0") =>
        client.GetAsync(ManagerRoutes.WithId(ManagerRoutes.Assignments, containerId) + query, Json.AssignmentsResponse);

    // Asserts the status and the problem+json media type; the body as Orchestrator.Protocol's ProblemDocument.
    public static async Task<ProblemDocument> AssertProblemAsync(this HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return System.Text.Json.JsonSerializer.Deserialize(body, Json.ProblemDocument)!;
    }

    // The fields a 400 names, for assertion messages.
    public static string Named(this ProblemDocument problem) => string.Join(", ", problem.Errors?.Keys ?? []);

    public static bool Names(this ProblemDocument problem, string field) => problem.Errors?.ContainsKey(field) == true;

    // A member the manager adds beside the standard ones (field, container_id, ...), as text; null when absent.
    public static string? Extension(this ProblemDocument problem, string name) =>
        problem.Extensions?.TryGetValue(name, out var value) == true ? value.ToString() : null;
}
