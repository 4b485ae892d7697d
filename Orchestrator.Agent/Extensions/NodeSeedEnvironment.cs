using System.Globalization;
using System.Text.Json;

namespace Orchestrator.Agent.Extensions;

// The one place that turns the seed's environment variables into option keys. Values that cannot be
// translated become Seed:Problems entries, which validation reports at start.
public static class NodeSeedEnvironment
{
    public static IReadOnlyDictionary<string, string> OptionKeys { get; } = new Dictionary<string, string>
    {
        ["AGENT_ID"] = "Node:AgentId",
        ["AGENT_TYPE"] = "Node:AgentType",
        ["AGENT_PORT"] = "Node:Port",
        ["CONTAINER_NAME"] = "Node:ContainerName",
        ["EXTERNAL_IP"] = "Node:ExternalIp",
        // JSON: capabilities -> Node:Capabilities, max_agents -> Node:MaxAgents, orchestrator_id -> Node:OrchestratorId.
        ["AGENT_CONFIG"] = "Node:AgentConfig",
        ["ORCHESTRATOR_ID"] = "Node:OrchestratorId",
        ["REDIS_URL"] = "Node:RedisUrl",
        ["CENTRAL_MANAGER_URL"] = "Manager:Url",
        ["ADMIN_PASSWORD"] = "Manager:AdminPassword",
        ["ENROLLMENT_TOKEN"] = "Manager:EnrollmentToken",
        ["ALLOW_SHARED_PASSWORD_NODES"] = "Manager:AllowSharedPassword",
        ["ALLOW_INSECURE_TRANSPORT"] = "Manager:AllowInsecureTransport",
        ["MANAGER_CA_FILE"] = "Manager:CaFile",
        ["MANAGER_CERT_SHA256"] = "Manager:CertificateSha256",
        ["PROCESS_ENV_ALLOWLIST"] = "Runtime:ProcessEnvironmentAllowlist",
        ["AUTO_REGISTER"] = "Manager:AutoRegister",
        ["HEARTBEAT_INTERVAL"] = "Manager:HeartbeatInterval",
        ["DATA_DIR"] = "Runtime:DataDirectory",
        ["ALLOWED_COMMANDS"] = "Runtime:AllowedCommands",
        ["LOG_BUFFER_MB"] = "Runtime:LogBufferMegabytes",
        ["LOG_SHIP_LINES_PER_SECOND"] = "Runtime:LogShipLinesPerSecond",
        ["MAX_LOCK_SECONDS"] = "Runtime:MaxLockSeconds",
        ["LOG_LEVEL"] = "Logging:LogLevel:Default",
        ["DOCKER_HOST"] = "Containers:DockerHost",
        ["REGISTRY_AUTH_FILE"] = "Containers:RegistryAuthFile",
        ["SPEC_SIGNATURES"] = "Signing:SpecSignatures",
        ["TRUSTED_SIGNING_KEYS"] = "Signing:TrustedSigningKeys",
        ["ON_KEY_REVOKED"] = "Signing:OnKeyRevoked",
    };

    // Aspire's service discovery variables for the "manager" resource, used when CENTRAL_MANAGER_URL is absent.
    private static readonly string[] DiscoveredManagerKeys = ["services:manager:http:0", "services:manager:https:0"];

    public static IConfigurationBuilder AddSeedEnvironment(this IConfigurationManager configuration)
    {
        var translated = Translate(key => configuration[key]);
        return configuration.AddInMemoryCollection(translated);
    }

    public static Dictionary<string, string?> Translate(Func<string, string?> read)
    {
        var output = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        void Problem(string variable, string message) => output[$"Seed:Problems:{variable}"] = message;

        foreach (var variable in new[] { "AGENT_ID", "AGENT_TYPE", "CONTAINER_NAME", "EXTERNAL_IP", "REDIS_URL", "ADMIN_PASSWORD", "DATA_DIR",
                     "ENROLLMENT_TOKEN", "MANAGER_CA_FILE", "MANAGER_CERT_SHA256", "DOCKER_HOST", "REGISTRY_AUTH_FILE",
                     "SPEC_SIGNATURES", "TRUSTED_SIGNING_KEYS", "ON_KEY_REVOKED",
                     "LOG_BUFFER_MB", "LOG_SHIP_LINES_PER_SECOND", "MAX_LOCK_SECONDS" })
        {
            if (Value(read, variable) is { } value) output[OptionKeys[variable]] = value;
        }

        if (Value(read, "AGENT_PORT") is { } port)
        {
            if (int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p)) output["Node:Port"] = p.ToString(CultureInfo.InvariantCulture);
            else Problem("AGENT_PORT", $"AGENT_PORT must be a port number, got '{port}'.");
        }

        if (Value(read, "AGENT_CONFIG") is { } agentConfig)
        {
            output["Node:AgentConfig"] = agentConfig;
            TranslateAgentConfig(agentConfig, output, Problem);
        }
        if (Value(read, "ORCHESTRATOR_ID") is { } orchestratorId) output["Node:OrchestratorId"] = orchestratorId;

        var managerUrl = Value(read, "CENTRAL_MANAGER_URL") ?? DiscoveredManagerKeys.Select(k => Value(read, k)).FirstOrDefault(v => v is not null);
        if (managerUrl is not null) output["Manager:Url"] = managerUrl;

        if (Value(read, "AUTO_REGISTER") is { } autoRegister)
        {
            if (bool.TryParse(autoRegister, out var b)) output["Manager:AutoRegister"] = b.ToString();
            else Problem("AUTO_REGISTER", $"AUTO_REGISTER must be true or false, got '{autoRegister}'.");
        }

        foreach (var variable in new[] { "ALLOW_SHARED_PASSWORD_NODES", "ALLOW_INSECURE_TRANSPORT" })
        {
            if (Value(read, variable) is not { } flag) continue;
            if (bool.TryParse(flag, out var on)) output[OptionKeys[variable]] = on.ToString();
            else Problem(variable, $"{variable} must be true or false, got '{flag}'.");
        }

        if (Value(read, "PROCESS_ENV_ALLOWLIST") is { } allowlist)
        {
            var names = allowlist.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (var i = 0; i < names.Length; i++) output[$"Runtime:ProcessEnvironmentAllowlist:{i}"] = names[i];
        }

        if (Value(read, "HEARTBEAT_INTERVAL") is { } interval)
        {
            if (double.TryParse(interval, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds <= 86400)
                output["Manager:HeartbeatInterval"] = TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture);
            else Problem("HEARTBEAT_INTERVAL", $"HEARTBEAT_INTERVAL must be a positive number of seconds, got '{interval}'.");
        }

        if (Value(read, "ALLOWED_COMMANDS") is { } allowed)
        {
            var commands = allowed.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            for (var i = 0; i < commands.Length; i++) output[$"Runtime:AllowedCommands:{i}"] = commands[i];
        }

        if (Value(read, "LOG_LEVEL") is { } level)
        {
            if (ToLogLevel(level) is { } logLevel) output["Logging:LogLevel:Default"] = logLevel.ToString();
            else Problem("LOG_LEVEL", $"LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got '{level}'.");
        }
        return output;
    }

    private static void TranslateAgentConfig(string json, Dictionary<string, string?> output, Action<string, string> problem)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(json);
            root = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            problem("AGENT_CONFIG", $"AGENT_CONFIG is not valid JSON: {ex.Message}");
            return;
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            problem("AGENT_CONFIG", $"AGENT_CONFIG must be a JSON object, got {root.ValueKind}.");
            return;
        }
        if (root.TryGetProperty("capabilities", out var capabilities))
        {
            if (capabilities.ValueKind != JsonValueKind.Array || capabilities.EnumerateArray().Any(c => c.ValueKind != JsonValueKind.String))
                problem("AGENT_CONFIG.capabilities", "AGENT_CONFIG capabilities must be an array of strings.");
            else
            {
                var i = 0;
                foreach (var capability in capabilities.EnumerateArray()) output[$"Node:Capabilities:{i++}"] = capability.GetString();
            }
        }
        if (root.TryGetProperty("max_agents", out var maxAgents))
        {
            if (maxAgents.ValueKind == JsonValueKind.Number && maxAgents.TryGetInt32(out var max))
                output["Node:MaxAgents"] = max.ToString(CultureInfo.InvariantCulture);
            else problem("AGENT_CONFIG.max_agents", $"AGENT_CONFIG max_agents must be a whole number, got {maxAgents.GetRawText()}.");
        }
        if (root.TryGetProperty("orchestrator_id", out var orchestratorId))
        {
            // The seed's compose file writes a number here; ORCHESTRATOR_ID is a string like "unique-customer-id".
            if (orchestratorId.ValueKind is JsonValueKind.Number or JsonValueKind.String)
                output["Node:OrchestratorId"] = orchestratorId.ValueKind == JsonValueKind.String ? orchestratorId.GetString() : orchestratorId.GetRawText();
            else problem("AGENT_CONFIG.orchestrator_id", $"AGENT_CONFIG orchestrator_id must be a number or a string, got {orchestratorId.GetRawText()}.");
        }
    }

    private static LogLevel? ToLogLevel(string level) => level.Trim().ToUpperInvariant() switch
    {
        "TRACE" => LogLevel.Trace,
        "DEBUG" => LogLevel.Debug,
        "INFO" or "INFORMATION" => LogLevel.Information,
        "WARN" or "WARNING" => LogLevel.Warning,
        "ERROR" => LogLevel.Error,
        "CRITICAL" or "FATAL" => LogLevel.Critical,
        _ => null,
    };

    private static string? Value(Func<string, string?> read, string key) =>
        read(key) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
