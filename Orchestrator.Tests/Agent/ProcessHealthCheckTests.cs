using System.Text.Json.Nodes;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Workloads;
using Orchestrator.Protocol;

namespace Orchestrator.Tests.Agent;

// A process agent's exec health_check, run by the node as a real program: failing shows the agent unhealthy, and
// `retries` failures in a row restart it (counted as a restart).
[Trait(TestLevel.Name, TestLevel.Unit)]
public sealed class ProcessHealthCheckTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("health-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task AFailingExecCheckShowsUnhealthyThenRestartsTheAgentAfterRetriesFailures()
    {
        var supervisor = RuntimeHarness.Supervisor(TimeProvider.System, new RuntimeOptions
        {
            AllowedCommands = ["sh"], DataDirectory = _data, RestartBaseDelay = TimeSpan.FromMilliseconds(200), RestartMaxDelay = TimeSpan.FromSeconds(1),
        });
        // Healthy while the file "healthy" is in its data directory; each start writes it afresh.
        var agent = new AgentDefinition("agt-checked", "process", new JsonObject
        {
            ["command"] = "sh",
            ["args"] = new JsonArray("-c", "touch \"$AGENT_DATA_DIR/healthy\"; echo up; exec sleep 120"),
            ["health_check"] = new JsonObject
            {
                ["exec"] = new JsonArray("sh", "-c", "test -f \"$AGENT_DATA_DIR/healthy\""),
                ["interval_seconds"] = 1, ["timeout_seconds"] = 2, ["retries"] = 3,
            },
        });
        await supervisor.ReconcileAsync([agent]);
        var running = await supervisor.WaitForAsync("agt-checked", v => v.State == AgentStates.Running && v.Figures["health_failures"] is not null
            && (int)v.Figures["health_failures"]! == 0 && v.Figures["output"]?.AsArray().Count > 0, "running and checked");
        var pid = (int)running.Figures["pid"]!;

        File.Delete(Path.Combine(AgentDataDirectory.For(_data, "agt-checked"), "healthy"));
        var unhealthy = await supervisor.WaitForAsync("agt-checked", v => v.State == AgentStates.Unhealthy, "unhealthy");
        Assert.Contains("health check failing", unhealthy.LastError);
        Assert.Equal(0, unhealthy.Restarts);

        var restarted = await supervisor.WaitForAsync("agt-checked", v => v.Restarts == 1 && v.State == AgentStates.Running && v.Figures["pid"] is JsonValue p && (int)p != pid,
            "restarted after 3 failed checks", seconds: 30);
        Assert.Contains("health check failed 3 times in a row", restarted.LastError);
        await Testing.Deadline.UntilAsync(() => Task.FromResult(!Directory.Exists($"/proc/{pid}")), TimeSpan.FromSeconds(10), "the unhealthy process to go");
        await supervisor.StopAsync(CancellationToken.None);
    }

    // The manager's check at deploy (400 naming the field), which the node runs again.
    [Theory]
    [InlineData("""{"command":"sh","health_check":{"http":{"port":80}}}""", "agent_config.health_check")]
    [InlineData("""{"command":"sh","health_check":{"exec":[]}}""", "agent_config.health_check.exec")]
    [InlineData("""{"command":"sh","health_check":{"exec":["true"],"retries":0}}""", "agent_config.health_check.retries")]
    [InlineData("""{"command":"sh","max_lock_seconds":-5}""", "agent_config.max_lock_seconds")]
    public void ABadProcessHealthCheckOrMaxLockSecondsIsNamedByField(string config, string field)
    {
        var errors = new Dictionary<string, string[]>();
        using var document = System.Text.Json.JsonDocument.Parse(config);
        AgentLifecycleConfig.Validate("process", document.RootElement, errors);
        Assert.True(errors.ContainsKey(field), $"expected {field}, got {string.Join(", ", errors.Keys)}");
    }

    [Fact]
    public void AHealthCheckProgramOutsideAllowedCommandsIsRefused()
    {
        var config = new JsonObject
        {
            ["command"] = "sh",
            ["health_check"] = new JsonObject { ["exec"] = new JsonArray("curl", "http://127.0.0.1/") },
        };
        var refusal = Assert.Throws<AgentConfigException>(() => Orchestrator.Agent.Workloads.Process.ProcessConfig.Parse(config, ["sh"]));
        Assert.Contains("agent_config.health_check.exec refused: 'curl'", refusal.Message);
    }
}
