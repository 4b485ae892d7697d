using System.Text.Json.Nodes;
using Orchestrator.Agent.Workloads;
using Orchestrator.Agent.Workloads.Containers;

namespace Orchestrator.Tests.Agent.Containers;

// The node checks a container agent's agent_config again itself (a compromised manager is not trusted), with the
// same rules the manager's deploy applies (Orchestrator.Protocol.ContainerAgentConfig), plus its own probe rule.
[Trait(TestLevel.Name, TestLevel.Unit)]
public sealed class ContainerConfigTests
{
    private const string Image = "127.0.0.1:5000/test/busybox@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("""{"command":["sleep","1"]}""", "agent_config.image")]
    [InlineData("""{"image":"Not A Reference"}""", "agent_config.image")]
    [InlineData("""{"image":"IMAGE","resources":{"memory":64}}""", "agent_config.resources has no field 'memory'")]
    [InlineData("""{"image":"IMAGE","resources":{"memory_mb":2}}""", "agent_config.resources.memory_mb")]
    [InlineData("""{"image":"IMAGE","env":{"1BAD":"x"}}""", "agent_config.env")]
    [InlineData("""{"image":"IMAGE","network":"host"}""", "agent_config.network")]
    [InlineData("""{"image":"IMAGE","network":"none","health_check":{"tcp":{"port":80}}}""", "agent_config.health_check")]
    public void TheNodeRefusesBadConfigNamingTheFieldEvenWhenTheManagerSentIt(string json, string field)
    {
        var config = JsonNode.Parse(json.Replace("IMAGE", Image, StringComparison.Ordinal))!.AsObject();
        var refused = Assert.Throws<AgentConfigException>(() => ContainerConfig.Parse(config));
        Assert.Contains(field, refused.Message);
    }

    [Fact]
    public void AValidConfigIsReadWithItsLimitsAndProbe()
    {
        var config = ContainerConfig.Parse(JsonNode.Parse($$$"""
            {"image":"{{{Image}}}","command":["sleep","9"],"env":{"A":"1"},"resources":{"cpus":0.5,"memory_mb":64,"pids":50},
             "stop_timeout_seconds":3,"health_check":{"http":{"port":8080,"path":"/ready"},"interval_seconds":2,"timeout_seconds":1,"retries":4}}
            """)!.AsObject());
        Assert.Equal(["sleep", "9"], config.Command);
        Assert.Equal("1", config.Environment["A"]);
        Assert.Equal((0.5, 64L, 50L), (config.Cpus, config.MemoryMb, config.Pids));
        Assert.Equal(TimeSpan.FromSeconds(3), config.StopTimeout);
        Assert.Equal("bridge", config.Network);
        Assert.Equal((8080, "/ready", 4), (config.Health!.HttpPort, config.Health.HttpPath, config.Health.Retries));
        Assert.StartsWith("sha256:", config.Digest);
    }
}
