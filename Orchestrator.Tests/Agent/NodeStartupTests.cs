using System.Net;
using System.Text.Json.Nodes;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Agent;

// The built node as a real process, started from the seed's variables with no manager listening.
[Trait(TestLevel.Name, TestLevel.Cluster)]
public sealed class NodeStartupTests : IDisposable
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(30);
    private readonly string _data = Directory.CreateTempSubdirectory("orchestrator-node-").FullName;

    [Fact]
    public async Task NodeStartsFromTheSeedComposeVariablesAndStaysUpWithoutAManager()
    {
        var port = FreePort.Next();
        var unusedManagerPort = FreePort.Next();
        await using var node = ChildProcess.Start(ProcessSpec.Project("Orchestrator.Agent").WithEnvironment(SeedVariables.SharedPasswordCompose($"http://127.0.0.1:{unusedManagerPort}", port, _data)));
        await node.WaitForHttpAsync($"http://127.0.0.1:{port}/health", Startup);

        using var http = new HttpClient();
        var health = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/health"))!;
        Assert.Equal("degraded", (string?)health["checks"]!["manager-connection"]!["status"]);
        var agents = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/api/v1/agents"))!;
        Assert.Equal(10, (int)agents["max_agents"]!);
        Assert.Equal(0, (int)agents["count"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"http://127.0.0.1:{port}/api/v1/agents/nope")).StatusCode);
        await Deadline.UntilAsync(() => Task.FromResult(node.Log.Contains("Registration failed (refused)")), Startup, "the refused registration to be logged");
        Assert.Contains("REDIS_URL is set but not used", node.Log);
        Assert.False(node.HasExited);
    }

    [Theory]
    [InlineData("AGENT_CONFIG", "{not json", "AGENT_CONFIG is not valid JSON")]
    [InlineData("AGENT_CONFIG", """{"capabilities":["agent_runner"],"max_agents":0,"orchestrator_id":1}""", "AGENT_CONFIG max_agents must be at least 1, got 0")]
    [InlineData("CENTRAL_MANAGER_URL", "not a url", "CENTRAL_MANAGER_URL must be an http(s) URL")]
    [InlineData("CENTRAL_MANAGER_URL", "", "CENTRAL_MANAGER_URL is required")]
    [InlineData("ADMIN_PASSWORD", "", "ENROLLMENT_TOKEN is required")]
    [InlineData("CENTRAL_MANAGER_URL", "http://10.0.0.5:8000", "plain http to another machine")]
    [InlineData("ALLOW_INSECURE_TRANSPORT", "maybe", "ALLOW_INSECURE_TRANSPORT must be true or false, got 'maybe'")]
    [InlineData("MANAGER_CA_FILE", "/nonexistent/ca.pem", "MANAGER_CA_FILE /nonexistent/ca.pem does not exist")]
    [InlineData("MANAGER_CERT_SHA256", "abc", "MANAGER_CERT_SHA256 must be 64 hex digits")]
    [InlineData("HEARTBEAT_INTERVAL", "soon", "HEARTBEAT_INTERVAL must be a positive number of seconds, got 'soon'")]
    [InlineData("AGENT_PORT", "eighty", "AGENT_PORT must be a port number, got 'eighty'")]
    [InlineData("AUTO_REGISTER", "maybe", "AUTO_REGISTER must be true or false, got 'maybe'")]
    public async Task InvalidSettingStopsTheNodeWithOneClearLine(string variable, string value, string message)
    {
        var environment = SeedVariables.SharedPasswordCompose("http://127.0.0.1:1", FreePort.Next(), _data);
        environment[variable] = value;
        await using var node = ChildProcess.Start(ProcessSpec.Project("Orchestrator.Agent").WithEnvironment(environment));

        Assert.Equal(1, await node.WaitForExitAsync(Startup));
        var lines = node.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains(lines, l => l.Contains(message, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("at ", StringComparison.Ordinal));
        Assert.All(lines, l => Assert.StartsWith("Invalid setting: ", l));
    }

    // The seed's own variables, with ADMIN_PASSWORD as the only way in: refused at start, in one line.
    [Fact]
    public async Task NodeConfiguredOnlyWithTheAdminPasswordExitsWithOneLineSayingToUseAnEnrollmentToken()
    {
        await using var node = ChildProcess.Start(ProcessSpec.Project("Orchestrator.Agent")
            .WithEnvironment(SeedVariables.Compose("http://127.0.0.1:1", FreePort.Next(), _data)));

        Assert.Equal(1, await node.WaitForExitAsync(Startup));
        var line = Assert.Single(node.Log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("Invalid setting: ADMIN_PASSWORD no longer lets an orchestrator log in: set ENROLLMENT_TOKEN", line);
    }

    [Fact]
    public async Task EveryInvalidSettingIsReportedAtOnce()
    {
        var environment = SeedVariables.SharedPasswordCompose("ftp://manager", FreePort.Next(), _data);
        environment["AGENT_CONFIG"] = """{"max_agents":-2}""";
        environment["HEARTBEAT_INTERVAL"] = "0";
        await using var node = ChildProcess.Start(ProcessSpec.Project("Orchestrator.Agent").WithEnvironment(environment));

        Assert.Equal(1, await node.WaitForExitAsync(Startup));
        Assert.Contains("CENTRAL_MANAGER_URL must be an http(s) URL", node.Log);
        Assert.Contains("max_agents must be at least 1, got -2", node.Log);
        Assert.Contains("HEARTBEAT_INTERVAL must be a positive number of seconds, got '0'", node.Log);
    }

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); } catch (IOException) { }
    }
}
