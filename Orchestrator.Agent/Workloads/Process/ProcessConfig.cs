using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Agent.Workloads.Process;

// agent_config of a process agent: {"command":"...","args":[...],"env":{"NAME":"value"},
// "health_check":{"exec":[...],"interval_seconds":10,"timeout_seconds":5,"retries":3}}. The check's program must be in
// ALLOWED_COMMANDS too: a health check is a program the node runs.
public sealed record ProcessConfig(string Command, IReadOnlyList<string> Args, IReadOnlyDictionary<string, string> Environment,
    Containers.HealthCheck? Health = null)
{
    public static ProcessConfig Parse(JsonObject? config, IReadOnlyCollection<string> allowedCommands)
    {
        config ??= [];
        try
        {
            var command = config["command"]?.GetValue<string>();
            if (string.IsNullOrWhiteSpace(command)) throw new AgentConfigException("agent_config.command is required");
            if (!allowedCommands.Contains(command, StringComparer.Ordinal))
            {
                throw new AgentConfigException(allowedCommands.Count == 0
                    ? $"command '{command}' refused: ALLOWED_COMMANDS is empty on this node, so it runs no programs"
                    : $"command '{command}' refused: it is not in this node's ALLOWED_COMMANDS ({string.Join(", ", allowedCommands)})");
            }
            var args = config["args"]?.AsArray().Select(a => a?.GetValue<string>() ?? "").ToArray() ?? [];
            var environment = config["env"]?.AsObject().ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "") ?? [];
            // Checked here as well as at deploy: the node does not rely on the manager to protect it.
            if (environment.Keys.Select(ServiceDefaults.ProcessEnvironmentPolicy.Refusal).FirstOrDefault(r => r is not null) is { } refusal)
                throw new AgentConfigException($"agent_config.env refused: {refusal}");
            Containers.HealthCheck? health = null;
            if (config["health_check"] is JsonObject check)
            {
                using var document = JsonDocument.Parse(config.ToJsonString());
                var errors = new Dictionary<string, string[]>();
                Protocol.AgentLifecycleConfig.Validate(ProcessDriver.TypeName, document.RootElement, errors);
                if (errors.Count > 0) throw new AgentConfigException(string.Join(" ", errors.Values.SelectMany(m => m)));
                health = Containers.HealthCheck.Parse(check, Protocol.ContainerAgentConfig.Bridge);
                if (!allowedCommands.Contains(health.Exec![0], StringComparer.Ordinal))
                    throw new AgentConfigException($"agent_config.health_check.exec refused: '{health.Exec[0]}' is not in this node's ALLOWED_COMMANDS");
            }
            return new(command, args, environment, health);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or JsonException)
        {
            throw new AgentConfigException($"agent_config of a process agent is malformed ({ex.Message}); expected command, args[], env{{}} of strings");
        }
    }
}
