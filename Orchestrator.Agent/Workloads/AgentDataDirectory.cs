namespace Orchestrator.Agent.Workloads;

// A process agent's own data directory, DATA_DIR/agents/<agent id> (what /data is to a container agent): it
// outlives restarts, updates and stops, and goes only when the agent is deleted. The id comes from the manager,
// which the node does not trust: one that is not a plain file name is refused rather than joined into a path.
public static class AgentDataDirectory
{
    public const string Variable = "AGENT_DATA_DIR";

    public static string For(string nodeDataDirectory, string agentId)
    {
        if (agentId is "" or "." or ".." || agentId.Length > 200 || agentId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
            throw new AgentConfigException($"agent id '{TextCut.ToLimit(agentId)}' cannot name a data directory");
        return Path.Combine(Path.GetFullPath(nodeDataDirectory), "agents", agentId);
    }
}
