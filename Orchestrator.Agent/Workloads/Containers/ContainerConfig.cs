using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Workloads.Containers;

// agent_config of a `container` agent, named as issue 24 and docs/protocol.md name it. The manager checks it at
// deploy; the node checks it again, because it does not trust the manager to protect it.
public sealed record ContainerConfig(
    string Image,
    IReadOnlyList<string>? Command,
    IReadOnlyDictionary<string, string> Environment,
    double? Cpus,
    long? MemoryMb,
    long? Pids,
    TimeSpan StopTimeout,
    string Network,
    HealthCheck? Health,
    bool KeepVolume)
{
    public static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(10);

    // The image's repository (registry/repo, without tag or digest) and whether it names an exact digest.
    public string Repository => Image.Contains('@') ? Image[..Image.IndexOf('@')] : TagSeparator(Image) is var i and >= 0 ? Image[..i] : Image;

    public string? Tag => Image.Contains('@') ? null : TagSeparator(Image) is var i and >= 0 ? Image[(i + 1)..] : "latest";

    public string? Digest => Image.Contains('@') ? Image[(Image.IndexOf('@') + 1)..] : null;

    // A tag's ':' comes after the last '/', a registry port's before it.
    private static int TagSeparator(string image) => image.LastIndexOf(':') is var colon && colon > image.LastIndexOf('/') ? colon : -1;

    // Same config, same hash: a container labelled with it runs exactly this spec.
    public static string SpecHash(JsonObject? config) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes((config ?? []).ToJsonString())))[..16];

    // The node checks again with the manager's own rules (Orchestrator.Protocol's ContainerAgentConfig, one place
    // for them), then reads the values; only what is the node's own concern (which probes it can reach) is added here.
    public static ContainerConfig Parse(JsonObject? config)
    {
        config ??= [];
        using var document = JsonDocument.Parse(config.ToJsonString());
        var errors = ContainerAgentConfig.Validate(document.RootElement);
        if (errors.Count > 0) throw new AgentConfigException(string.Join(" ", errors.Values.SelectMany(messages => messages)));
        try
        {
            var image = config["image"]!.GetValue<string>();
            var command = config["command"] is JsonArray list ? list.Select(a => a!.GetValue<string>()).ToArray() : null;
            var environment = config["env"] is JsonObject env ? env.ToDictionary(p => p.Key, p => p.Value!.GetValue<string>()) : [];
            var resources = config["resources"] as JsonObject;
            var stop = Number<int>(config["stop_timeout_seconds"]);
            var network = config["network"]?.GetValue<string>() ?? ContainerAgentConfig.Bridge;
            var health = config["health_check"] is JsonObject h ? HealthCheck.Parse(h, network) : null;
            return new(image, command, environment, Number<double>(resources?["cpus"]), Number<long>(resources?["memory_mb"]),
                Number<long>(resources?["pids"]), stop is { } s ? TimeSpan.FromSeconds(s) : DefaultStopTimeout, network, health,
                config["keep_volume"]?.GetValue<bool>() ?? false);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or JsonException)
        {
            throw new AgentConfigException($"agent_config of a container agent is malformed ({ex.Message})");
        }
    }

    // A JSON number of any CLR origin (parsed text, or a JsonValue built from an int in memory) as T; wrong types throw FormatException.
    internal static T? Number<T>(JsonNode? node) where T : struct, IParsable<T> =>
        node is null ? null : node.GetValueKind() == JsonValueKind.Number ? T.Parse(node.ToJsonString(), CultureInfo.InvariantCulture)
            : throw new FormatException($"{node.ToJsonString()} is not a number");

    internal static AgentConfigException Refused(string field, string why) => new($"agent_config.{field} {why}");
}

// health_check: exactly one of exec (a list), http {port, path} or tcp {port}; plus interval, timeout, retries.
public sealed record HealthCheck(IReadOnlyList<string>? Exec, int? HttpPort, string? HttpPath, int? TcpPort, TimeSpan Interval, TimeSpan Timeout, int Retries)
{
    // check is valid by ContainerAgentConfig's rules; what is left for the node is whether it can reach the probe.
    public static HealthCheck Parse(JsonObject check, string network)
    {
        var exec = check["exec"] is JsonArray list ? list.Select(a => a!.GetValue<string>()).ToArray() : null;
        var http = check["http"] as JsonObject;
        var tcp = check["tcp"] as JsonObject;
        if ((http ?? tcp) is not null && network == ContainerAgentConfig.None)
            throw ContainerConfig.Refused("health_check", "http and tcp checks need network bridge (with network none only exec can reach the agent)");
        var interval = ContainerConfig.Number<int>(check["interval_seconds"]) ?? 10;
        var timeout = ContainerConfig.Number<int>(check["timeout_seconds"]) ?? 5;
        var retries = ContainerConfig.Number<int>(check["retries"]) ?? 3;
        return new(exec, ContainerConfig.Number<int>(http?["port"]), http is null ? null : http["path"]?.GetValue<string>() ?? "/",
            ContainerConfig.Number<int>(tcp?["port"]), TimeSpan.FromSeconds(interval), TimeSpan.FromSeconds(timeout), retries);
    }
}
