using Orchestrator.Protocol;
using System.Net.Http.Json;
using Orchestrator.Tests.Failure;

namespace Orchestrator.Tests.Abuse;

// An end-to-end run (real redis-server, manager and node, debug logging) whose every log line and every
// API answer is searched for secrets: none may appear. Token answers of /auth/token are the one place a
// JWT belongs, and are not searched for JWTs.
[Collection(FailureCollection.Name)]
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class SecretsInLogsTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task NoLogLineOrApiAnswerOfAnEndToEndRunShowsTheAdminPasswordOrAToken()
    {
        await using var cluster = await ProcessCluster.StartAsync(new()
        {
            Orchestrators = 1,
            ManagerEnvironment = new() { ["LOG_LEVEL"] = "DEBUG" },
            OrchestratorEnvironment = new() { ["LOG_LEVEL"] = "DEBUG" },
        });
        var scan = new SecretScan()
            .Secret("ADMIN_PASSWORD", ProcessCluster.AdminPassword)
            .Secret("JWT_SECRET", ProcessCluster.JwtSecret);
        var answers = new List<(string Where, string Text)>();
        async Task Call(HttpMethod method, string url, object? body = null)
        {
            using var request = new HttpRequestMessage(method, url);
            if (body is not null) request.Content = JsonContent.Create(body);
            if (url.StartsWith(cluster.ManagerUrl, StringComparison.Ordinal) && !url.EndsWith("/auth/token", StringComparison.Ordinal))
                request.Headers.Authorization = new("Bearer", await AdminTokenAsync(cluster));
            using var response = await cluster.Http.SendAsync(request);
            answers.Add(($"{method} {url} -> {(int)response.StatusCode}", await response.Content.ReadAsStringAsync()));
        }

        var node = cluster.Orchestrators[0];
        var deployed = await cluster.Api.DeployAsync(new DeployRequest("trading_agent", null, null));
        var agentId = deployed.Agents[0].AgentId;
        await cluster.WaitAsync(async () => (await cluster.Api.GetAgentAsync(agentId)).State == "running", Deadline, "the agent to run");
        var containerId = deployed.Agents[0].ContainerId;

        var api = cluster.ManagerUrl;
        await Call(HttpMethod.Post, api + "/api/v1/auth/token", new { username = "admin", password = "a-wrong-password-for-the-scan" });
        await Call(HttpMethod.Get, api + "/api/v1/cluster/containers");
        await Call(HttpMethod.Get, api + $"/api/v1/cluster/containers/{containerId}");
        await Call(HttpMethod.Get, api + $"/api/v1/cluster/containers/{containerId}/assignments?wait=0");
        await Call(HttpMethod.Get, api + "/api/v1/cluster/agents");
        await Call(HttpMethod.Get, api + $"/api/v1/cluster/agents/{agentId}");
        await Call(HttpMethod.Get, api + "/api/v1/cluster/status");
        await Call(HttpMethod.Get, api + "/api/v1/cluster/metrics");
        await Call(HttpMethod.Get, api + "/health");
        await Call(HttpMethod.Get, api + "/openapi/v1.json");
        await Call(HttpMethod.Get, node.Url + "/health");
        await Call(HttpMethod.Get, node.Url + "/api/v1/agents");
        await Call(HttpMethod.Get, node.Url + $"/api/v1/agents/{agentId}");
        await Call(HttpMethod.Delete, api + $"/api/v1/cluster/agents/{agentId}");
        await cluster.WaitAsync(async () => !(await node.RunningAgentIdsAsync()).Contains(agentId), Deadline, "the agent to stop");

        foreach (var (where, text) in answers) scan.Scan(where, text);
        foreach (var process in cluster.Managers.Cast<ClusterNode>().Concat(cluster.Orchestrators)) scan.Scan(process.Name + " log", process.Log);

        Assert.True(cluster.Managers[0].Log.Split('\n').Length > 20, "the scan read the manager's log");
        Assert.True(scan.Findings.Count == 0, "secrets shown:\n" + string.Join("\n", scan.Findings.Take(30)));
    }

    private string? _token;

    private async Task<string> AdminTokenAsync(ProcessCluster cluster)
    {
        if (_token is not null) return _token;
        using var response = await cluster.Http.PostAsJsonAsync(cluster.ManagerUrl + "/api/v1/auth/token",
            new { username = "admin", password = ProcessCluster.AdminPassword });
        return _token = (string)System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["access_token"]!;
    }
}
