namespace Orchestrator.Agent.Workloads.Containers;

// Every container (and volume) the node creates carries these, so a node finds its own after a restart and
// never touches anything without them.
public static class ContainerLabels
{
    public const string Node = "orchestrator.node";
    public const string AgentId = "orchestrator.agent_id";
    public const string Epoch = "orchestrator.epoch";
    public const string SpecHash = "orchestrator.spec_hash";

    // A volume or container name from the node and agent ids (engines allow [a-zA-Z0-9][a-zA-Z0-9_.-]).
    public static string Name(string kind, string node, string agentId) =>
        $"orchestrator-{kind}-{Safe(node)}-{Safe(agentId)}";

    private static string Safe(string value) => new([.. value.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '-' ? c : '_')]);
}
