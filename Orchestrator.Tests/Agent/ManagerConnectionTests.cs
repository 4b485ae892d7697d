using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Agent;

// The node against the real manager (its built dll, on its own redis-server), both as processes.
// The node starts first: the manager comes up late, then forgets the container.
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class ManagerConnectionTests : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private const string AdminPassword = "connection-test-admin-password";

    private readonly string _data = Directory.CreateTempSubdirectory("orchestrator-conn-").FullName;
    private readonly RedisHost _redis = new();
    private readonly int _managerPort = FreePort.Next();
    private readonly int _nodePort = FreePort.Next();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private ChildProcess? _manager;
    private ChildProcess? _node;

    private string ManagerUrl => $"http://127.0.0.1:{_managerPort}";

    public Task InitializeAsync() => _redis.StartAsync();

    [Fact]
    public async Task NodeRegistersOnceTheLateManagerComesUpThenHeartbeatsRealReadingsAndRegistersAgainWhenForgotten()
    {
        var environment = SeedVariables.Compose(ManagerUrl, _nodePort, _data);
        environment["ADMIN_PASSWORD"] = AdminPassword;
        environment["ALLOW_SHARED_PASSWORD_NODES"] = "true"; // the seed's flow
        // Short backoff ceiling so the test does not wait out a 30 s retry after the manager appears.
        environment["Manager__RetryMaxDelay"] = "00:00:02";
        _node = ChildProcess.Start(ProcessSpec.Project("Orchestrator.Agent").WithEnvironment(environment));
        await _node.WaitForHttpAsync($"http://127.0.0.1:{_nodePort}/health", Deadline);
        await Testing.Deadline.UntilAsync(() => Task.FromResult(_node.Log.Contains("Registration failed (refused)")), Deadline,
            "the node to report the refused connection");
        Assert.Equal("degraded", await ConnectionCheckAsync());

        StartManager();
        var container = await WaitForContainerAsync(c => true, "the container to register after the manager came up");
        Assert.Equal(["agent_runner", "orchestrator_cluster"], container["capabilities"]!.AsArray().Select(c => (string?)c));
        Assert.Equal(10, (int)container["max_agents"]!);
        Assert.Equal("1", (string?)container["metadata"]!["orchestrator_id"]);
        Assert.Equal(_nodePort, (int)container["api_port"]!);
        Assert.Single(_node.Log.Split('\n'), l => l.Contains("Registration failed (refused)"));

        // Heartbeats carry readings of this machine, not constants.
        var id = (string)container["container_id"]!;
        var beating = await WaitForContainerAsync(c => c["usage"] is JsonObject, "a heartbeat with readings");
        var usage = beating["usage"]!;
        Assert.Equal(Environment.ProcessorCount, (int)usage["cpu_count"]!);
        Assert.True((long)usage["memory_used"]! > 0 && (long)usage["memory_limit"]! >= (long)usage["memory_used"]!, usage.ToJsonString());
        Assert.True((int)usage["process_count"]! >= 1);
        Assert.InRange((double)usage["cpu_percent"]!, 0, 100);
        var score = (double)beating["health_score"]!;
        Assert.InRange(score, 0, 100);
        Assert.Equal("healthy", await Testing.Deadline.PollAsync(async () => await ConnectionCheckAsync() == "healthy" ? "healthy" : null,
            Deadline, "the node's connection check to turn healthy"));

        // The manager forgets the container: the next heartbeat gets 404 and the node registers again.
        using (var delete = new HttpRequestMessage(HttpMethod.Delete, $"{ManagerUrl}/api/v1/cluster/containers/{id}"))
        {
            delete.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await AdminTokenAsync());
            Assert.True((await _http.SendAsync(delete)).IsSuccessStatusCode);
        }
        await WaitForContainerAsync(c => (string?)c["status"] == "healthy", "the container to be registered again");
        await Testing.Deadline.UntilAsync(() => Task.FromResult(_node.Log.Contains("no longer knows container")), Deadline,
            "the node to log the re-registration");
    }

    [Fact]
    public async Task WrongAdminPasswordIsLoggedOnceAsA401AndTheNodeStaysUp()
    {
        StartManager();
        await _manager!.WaitForHttpAsync($"{ManagerUrl}/health", Deadline);
        var environment = SeedVariables.Compose(ManagerUrl, _nodePort, _data);
        environment["ADMIN_PASSWORD"] = "not-the-password";
        environment["ALLOW_SHARED_PASSWORD_NODES"] = "true";
        environment["Manager__RetryMaxDelay"] = "00:00:01";
        _node = ChildProcess.Start(ProcessSpec.Project("Orchestrator.Agent").WithEnvironment(environment));
        await _node.WaitForHttpAsync($"http://127.0.0.1:{_nodePort}/health", Deadline);

        await Testing.Deadline.UntilAsync(() => Task.FromResult(_node.Log.Contains("(check ADMIN_PASSWORD")), Deadline, "the 401 to be logged");
        var description = await Testing.Deadline.PollAsync(async () =>
        {
            var health = JsonNode.Parse(await _http.GetStringAsync($"http://127.0.0.1:{_nodePort}/health"))!["checks"]!["manager-connection"]!;
            return (string?)health["status"] == "degraded" ? (string?)health["description"] : null;
        }, Deadline, "the connection check to turn degraded");
        // After a few wrong passwords the manager's login rate limit answers 429 instead; both are named.
        Assert.Matches(@"manager unreachable \(http (401|429)\)", description);
        Assert.Single(_node.Log.Split('\n'), l => l.Contains("Registration failed (http 401)"));
        Assert.False(_node.HasExited);
    }

    private void StartManager() => _manager = ChildProcess.Start(ProcessSpec.Project("Orchestrator.Manager").WithEnvironment(new Dictionary<string, string>
    {
        ["REDIS_URL"] = _redis.Url,
        ["JWT_SECRET"] = "connection-test-jwt-secret-of-at-least-32-chars",
        ["MASTER_SECRET_KEY"] = "a-test-master-secret-key-of-at-least-32-characters",
        ["ADMIN_PASSWORD"] = AdminPassword,
        ["ALLOW_SHARED_PASSWORD_NODES"] = "true",
        ["HEARTBEAT_INTERVAL"] = "1",
        ["ASPNETCORE_URLS"] = ManagerUrl,
    }));

    private async Task<string?> ConnectionCheckAsync()
    {
        var health = JsonNode.Parse(await _http.GetStringAsync($"http://127.0.0.1:{_nodePort}/health"))!;
        return (string?)health["checks"]!["manager-connection"]!["status"];
    }

    private async Task<string> AdminTokenAsync()
    {
        var response = await _http.PostAsJsonAsync($"{ManagerUrl}/api/v1/auth/token", new { username = "admin", password = AdminPassword });
        response.EnsureSuccessStatusCode();
        return (string)JsonNode.Parse(await response.Content.ReadAsStringAsync())!["access_token"]!;
    }

    private async Task<JsonNode> WaitForContainerAsync(Func<JsonNode, bool> condition, string what)
    {
        try
        {
            return await Testing.Deadline.PollAsync(async () =>
            {
                using var list = new HttpRequestMessage(HttpMethod.Get, $"{ManagerUrl}/api/v1/cluster/containers");
                list.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await AdminTokenAsync());
                var response = await _http.SendAsync(list);
                if (response.StatusCode != HttpStatusCode.OK) return null;
                var containers = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["containers"]!.AsArray();
                return containers.FirstOrDefault(c => (string?)c!["container_name"] == "orchestrator-1-cluster" && condition(c));
            }, Deadline, what, TimeSpan.FromMilliseconds(250));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\n--- node ---\n{_node?.Log}\n--- manager ---\n{_manager?.Log}", ex);
        }
    }

    public async Task DisposeAsync()
    {
        if (_node is not null) await _node.DisposeAsync();
        if (_manager is not null) await _manager.DisposeAsync();
        await _redis.DisposeAsync();
        _http.Dispose();
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }
}
