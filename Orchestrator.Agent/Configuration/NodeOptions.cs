namespace Orchestrator.Agent.Configuration;

// Who this node is, as the seed's variables describe it (AGENT_*, CONTAINER_NAME, EXTERNAL_IP, AGENT_CONFIG).
public sealed class NodeOptions
{
    public const string Section = "Node";

    public string AgentId { get; set; } = "orchestrator-1-agent";
    public string AgentType { get; set; } = "orchestrator_cluster";
    public int Port { get; set; } = 8001;
    public string? ContainerName { get; set; }
    public string ExternalIp { get; set; } = "127.0.0.1";
    // AGENT_CONFIG as given; its fields are translated into the properties below.
    public string? AgentConfig { get; set; }
    public List<string> Capabilities { get; set; } = [];
    public int MaxAgents { get; set; } = 10;
    public string OrchestratorId { get; set; } = "1";

    // Accepted for compatibility with the seed's compose file and never used: orchestrators talk only
    // to the manager's HTTP API, so Redis is never exposed to customer networks.
    public string? RedisUrl { get; set; }

    public string EffectiveContainerName =>
        string.IsNullOrWhiteSpace(ContainerName) ? $"orchestrator-{OrchestratorId}-cluster" : ContainerName;
}
