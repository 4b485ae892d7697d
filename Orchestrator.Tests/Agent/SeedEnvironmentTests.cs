using Orchestrator.Agent.Extensions;

namespace Orchestrator.Tests.Agent;

[Trait(TestLevel.Name, TestLevel.Unit)]
public class SeedEnvironmentTests
{
    private static Dictionary<string, string?> Translate(Dictionary<string, string> env) =>
        NodeSeedEnvironment.Translate(key => env.GetValueOrDefault(key));

    [Fact]
    public void SeedComposeVariablesBecomeOptionKeys()
    {
        var options = Translate(SeedVariables.Compose("http://10.0.0.5:8000", 8001, "/var/lib/orchestrator"));

        Assert.Equal("orchestrator-1-agent", options["Node:AgentId"]);
        Assert.Equal("8001", options["Node:Port"]);
        Assert.Equal("orchestrator-1-cluster", options["Node:ContainerName"]);
        Assert.Equal("agent_runner", options["Node:Capabilities:0"]);
        Assert.Equal("orchestrator_cluster", options["Node:Capabilities:1"]);
        Assert.Equal("10", options["Node:MaxAgents"]);
        Assert.Equal("1", options["Node:OrchestratorId"]);
        Assert.Equal("http://10.0.0.5:8000", options["Manager:Url"]);
        Assert.Equal("00:00:30", options["Manager:HeartbeatInterval"]);
        Assert.Equal("True", options["Manager:AutoRegister"]);
        Assert.DoesNotContain(options.Keys, k => k.StartsWith("Seed:Problems", StringComparison.Ordinal));
    }

    [Fact]
    public void OrchestratorIdVariableWinsOverTheNumberInAgentConfig()
    {
        var env = SeedVariables.Compose("http://m:8000", 8001, "d");
        env["ORCHESTRATOR_ID"] = "unique-customer-id";
        Assert.Equal("unique-customer-id", Translate(env)["Node:OrchestratorId"]);
    }

    [Fact]
    public void ServiceDiscoveryGivesTheManagerUrlWhenCentralManagerUrlIsAbsent()
    {
        var env = new Dictionary<string, string> { ["services:manager:http:0"] = "http://localhost:8000" };
        Assert.Equal("http://localhost:8000", Translate(env)["Manager:Url"]);
    }

    [Fact]
    public void AgentConfigThatIsNotJsonBecomesAProblemNamingTheVariable()
    {
        var problems = Translate(new() { ["AGENT_CONFIG"] = "{\"max_agents\": ten}" });
        Assert.StartsWith("AGENT_CONFIG is not valid JSON", problems["Seed:Problems:AGENT_CONFIG"]);
    }

    [Fact]
    public void AllowedCommandsAreSplitOnCommas()
    {
        var options = Translate(new() { ["ALLOWED_COMMANDS"] = "python3, /usr/bin/env" });
        Assert.Equal("python3", options["Runtime:AllowedCommands:0"]);
        Assert.Equal("/usr/bin/env", options["Runtime:AllowedCommands:1"]);
    }

    [Fact]
    public void TheTableNamesEverySeedVariable()
    {
        string[] seed = ["AGENT_ID", "AGENT_TYPE", "AGENT_PORT", "REDIS_URL", "CENTRAL_MANAGER_URL", "ADMIN_PASSWORD",
            "CONTAINER_NAME", "EXTERNAL_IP", "AGENT_CONFIG", "AUTO_REGISTER", "HEARTBEAT_INTERVAL", "ORCHESTRATOR_ID"];
        Assert.Empty(seed.Except(NodeSeedEnvironment.OptionKeys.Keys));
    }
}
