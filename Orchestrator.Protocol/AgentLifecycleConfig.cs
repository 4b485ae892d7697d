using System.Text.Json;

namespace Orchestrator.Protocol;

// agent_config fields any agent type may carry about its lifecycle (issue 25), checked by the manager at deploy
// (400 naming the field) and again by the node:
//   max_lock_seconds: how long the node waits for the agent's update lock before a stop goes ahead (0..86400,
//   capped by the node's MAX_LOCK_SECONDS);
//   health_check of a process agent: {exec: [...], interval_seconds, timeout_seconds, retries}, the container shape.
public static class AgentLifecycleConfig
{
    public const string MaxLockSeconds = "max_lock_seconds";
    public const int MaxLockSecondsLimit = 86400;

    public static void Validate(string? agentType, JsonElement? config, Dictionary<string, string[]> errors)
    {
        if (config is not { ValueKind: JsonValueKind.Object } c) return;
        if (c.TryGetProperty(MaxLockSeconds, out var max) && max.ValueKind != JsonValueKind.Null
            && (max.ValueKind != JsonValueKind.Number || !max.TryGetInt32(out var seconds) || seconds is < 0 or > MaxLockSecondsLimit))
            errors[$"agent_config.{MaxLockSeconds}"] = [$"agent_config.{MaxLockSeconds} must be a whole number of seconds from 0 to {MaxLockSecondsLimit}."];
        if (agentType == "process" && c.TryGetProperty("health_check", out var health) && health.ValueKind != JsonValueKind.Null)
            ContainerAgentConfig.ValidateExecHealthCheck(health, errors);
    }
}
