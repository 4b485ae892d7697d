using System.Globalization;

namespace Orchestrator.Manager.Extensions;

// The seed's environment variables, translated in this one place onto the manager's option keys.
// Variables (env name -> option key) is public: the deploy kit's tests check compose files against it.
public static class SeedEnvironment
{
    public static IReadOnlyDictionary<string, string> Variables { get; } = new Dictionary<string, string>
    {
        ["JWT_SECRET"] = "Manager:JwtSecret",
        ["ADMIN_PASSWORD"] = "Manager:AdminPassword",
        ["JWT_PREVIOUS_SECRETS"] = "Manager:JwtPreviousSecrets",
        ["ALLOW_SHARED_PASSWORD_NODES"] = "Manager:AllowSharedPasswordNodes",
        ["BOOTSTRAP_ENROLLMENT_TOKEN"] = "Manager:BootstrapEnrollmentToken",
        ["BOOTSTRAP_ENROLLMENT_ORCHESTRATOR_IDS"] = "Manager:BootstrapOrchestratorIds",
        ["HEARTBEAT_INTERVAL"] = "Manager:HeartbeatInterval",
        ["ENABLE_DISTRIBUTED"] = "Manager:EnableDistributed",
        ["MASTER_SECRET_KEY"] = "Manager:MasterSecretKey",
        // Not in the seed: the master key before a rotation (Secrets/SecretReencryption.cs).
        ["MASTER_SECRET_KEY_PREVIOUS"] = "Manager:MasterSecretKeyPrevious",
        ["REDIS_URL"] = "ConnectionStrings:redis",
        ["LOG_LEVEL"] = "Logging:LogLevel:Default",
        // Not in the seed: the reverse proxies whose X-Forwarded-For is believed (Options/ProxyOptions.cs).
        ["TRUSTED_PROXIES"] = "Proxy:TrustedProxies",
        // Not in the seed: what one agent's retained log lines may cost in Redis (Logs/LogsOptions.cs).
        ["LOG_RETENTION_BYTES"] = "Logs:RetentionBytes",
    };

    private static readonly HashSet<string> ListVariables = ["JWT_PREVIOUS_SECRETS", "BOOTSTRAP_ENROLLMENT_ORCHESTRATOR_IDS"];

    // Python-style level names from the seed's LOG_LEVEL, onto Microsoft.Extensions.Logging levels.
    private static readonly Dictionary<string, string> LogLevels = new(StringComparer.OrdinalIgnoreCase)
    {
        ["TRACE"] = "Trace", ["DEBUG"] = "Debug", ["INFO"] = "Information", ["INFORMATION"] = "Information",
        ["WARNING"] = "Warning", ["WARN"] = "Warning", ["ERROR"] = "Error", ["CRITICAL"] = "Critical",
        ["FATAL"] = "Critical", ["NONE"] = "None",
    };

    public static IConfigurationManager AddSeedEnvironment(this IConfigurationManager configuration)
    {
        configuration.AddRedisUrlFallback();
        var translated = new Dictionary<string, string?>();
        foreach (var (variable, key) in Variables)
        {
            if (variable == "REDIS_URL") continue; // RedisUrl turns redis:// into StackExchange form
            var value = configuration[variable];
            if (string.IsNullOrWhiteSpace(value)) continue;
            if (ListVariables.Contains(variable))
            {
                // Comma-separated lists bind as Key:0, Key:1, ...
                var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                for (var i = 0; i < items.Length; i++) translated[$"{key}:{i}"] = items[i];
                continue;
            }
            translated[key] = Translate(variable, value.Trim());
        }
        if (translated.Count > 0) configuration.AddInMemoryCollection(translated);
        return configuration;
    }

    public static string Translate(string variable, string value) => variable switch
    {
        // HEARTBEAT_INTERVAL is in seconds; the option is a TimeSpan.
        "HEARTBEAT_INTERVAL" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            => TimeSpan.FromSeconds(seconds).ToString("c", CultureInfo.InvariantCulture),
        "LOG_LEVEL" when LogLevels.TryGetValue(value, out var level) => level,
        _ => value,
    };
}
