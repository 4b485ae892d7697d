namespace Orchestrator.Agent.Workloads;

// balena's update lock: an agent in a critical section (an open order) holds off its stop, restart, update or drain
// by keeping this file in its own data (a container's /data volume, a process agent's AGENT_DATA_DIR). The node
// waits while it exists, up to the agent's max_lock_seconds (capped by MAX_LOCK_SECONDS); force does not wait.
public static class UpdateLock
{
    // Relative to the agent's data directory.
    public const string RelativePath = ".orchestrator/update.lock";

    // agent_config field: how long this agent may hold off a stop (seconds, capped by the node's MAX_LOCK_SECONDS).
    public const string MaxSecondsField = "max_lock_seconds";

    public static string In(string dataDirectory) => Path.Combine(dataDirectory, ".orchestrator", "update.lock");

    // The agent's own limit from its spec, capped by the node's; no limit in the spec means the node's.
    public static TimeSpan MaxWait(AgentDefinition agent, TimeSpan nodeCap) =>
        agent.AgentConfig?[MaxSecondsField] is System.Text.Json.Nodes.JsonValue value && value.TryGetValue<int>(out var seconds) && seconds >= 0
            ? TimeSpan.FromSeconds(Math.Min(seconds, nodeCap.TotalSeconds))
            : nodeCap;
}
