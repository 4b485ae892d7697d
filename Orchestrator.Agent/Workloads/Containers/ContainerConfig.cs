using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Orchestrator.Agent.Workloads.Containers;

// agent_config of a `container` agent, named as issue 24 and docs/protocol.md name it. The manager checks it at
// deploy; the node checks it again, because it does not trust the manager to protect it.
public sealed partial record ContainerConfig(
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

    public static ContainerConfig Parse(JsonObject? config)
    {
        config ??= [];
        try
        {
            var image = config["image"]?.GetValue<string>();
            if (string.IsNullOrWhiteSpace(image)) throw Refused("image", "is required, e.g. registry.example.com/bot:1.2 or registry.example.com/bot@sha256:<64 hex>");
            if (!ImageReference().IsMatch(image)) throw Refused("image", $"'{image}' is not an image reference (registry/repo:tag or registry/repo@sha256:<64 hex>)");
            var command = config["command"] is JsonArray list ? list.Select(a => a?.GetValue<string>() ?? "").ToArray() : null;
            if (config["command"] is { } c && c is not JsonArray) throw Refused("command", "must be a list of strings");
            var environment = config["env"] is JsonObject env ? env.ToDictionary(p => p.Key, p => p.Value?.GetValue<string>() ?? "") : [];
            if (environment.Keys.FirstOrDefault(k => !EnvName().IsMatch(k)) is { } badName) throw Refused("env", $"'{badName}' is not a variable name");
            var resources = config["resources"] as JsonObject;
            if (config["resources"] is { } r && r is not JsonObject) throw Refused("resources", "must be an object with cpus, memory_mb, pids");
            var cpus = Number<double>(resources?["cpus"]);
            if (cpus is <= 0 or > 1024) throw Refused("resources.cpus", $"must be a positive number of CPUs, got {cpus.Value.ToString(CultureInfo.InvariantCulture)}");
            var memory = Number<long>(resources?["memory_mb"]);
            if (memory is < 6 or > 16_777_216) throw Refused("resources.memory_mb", $"must be at least 6 (MiB), got {memory}");
            var pids = Number<long>(resources?["pids"]);
            if (pids is < 1 or > 4_194_304) throw Refused("resources.pids", $"must be a positive number of processes, got {pids}");
            var stop = Number<int>(config["stop_timeout_seconds"]);
            if (stop is < 1 or > 3600) throw Refused("stop_timeout_seconds", $"must be between 1 and 3600, got {stop}");
            var network = config["network"]?.GetValue<string>() ?? "bridge";
            if (network is not ("bridge" or "none")) throw Refused("network", $"must be bridge or none, got '{network}'");
            var health = config["health_check"] is { } h ? HealthCheck.Parse(h as JsonObject ?? throw Refused("health_check", "must be an object"), network) : null;
            var keep = config["keep_volume"]?.GetValue<bool>() ?? false;
            return new(image, command, environment, cpus, memory, pids, stop is { } s ? TimeSpan.FromSeconds(s) : DefaultStopTimeout, network, health, keep);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or JsonException)
        {
            throw new AgentConfigException($"agent_config of a container agent is malformed ({ex.Message}); expected image, command[], env{{}}, resources{{cpus, memory_mb, pids}}, stop_timeout_seconds, network, health_check");
        }
    }

    // A JSON number of any CLR origin (parsed text, or a JsonValue built from an int in memory) as T; wrong types throw FormatException.
    internal static T? Number<T>(JsonNode? node) where T : struct, IParsable<T> =>
        node is null ? null : node.GetValueKind() == JsonValueKind.Number ? T.Parse(node.ToJsonString(), CultureInfo.InvariantCulture)
            : throw new FormatException($"{node.ToJsonString()} is not a number");

    internal static AgentConfigException Refused(string field, string why) => new($"agent_config.{field} {why}");

    [GeneratedRegex(@"^[a-z0-9]([a-z0-9._\-/:]*[a-z0-9])?(:[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127})?(@sha256:[a-f0-9]{64})?$")]
    private static partial Regex ImageReference();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();
}

// health_check: exactly one of exec (a list), http {port, path} or tcp {port}; plus interval, timeout, retries.
public sealed record HealthCheck(IReadOnlyList<string>? Exec, int? HttpPort, string? HttpPath, int? TcpPort, TimeSpan Interval, TimeSpan Timeout, int Retries)
{
    public static HealthCheck Parse(JsonObject check, string network)
    {
        var exec = check["exec"] is JsonArray list ? list.Select(a => a?.GetValue<string>() ?? "").ToArray() : null;
        var http = check["http"] as JsonObject;
        var tcp = check["tcp"] as JsonObject;
        var kinds = new object?[] { exec, http, tcp }.Count(k => k is not null);
        if (kinds != 1) throw ContainerConfig.Refused("health_check", "must name exactly one of exec (a list), http {port, path} or tcp {port}");
        if (exec is { Length: 0 }) throw ContainerConfig.Refused("health_check.exec", "must not be empty");
        int? Port(JsonObject o, string name) => ContainerConfig.Number<int>(o["port"]) is var p && p is >= 1 and <= 65535 ? p
            : throw ContainerConfig.Refused($"health_check.{name}.port", "must be a port number (1-65535)");
        var httpPort = http is null ? null : Port(http, "http");
        var path = http?["path"]?.GetValue<string>() ?? "/";
        if (!path.StartsWith('/')) throw ContainerConfig.Refused("health_check.http.path", "must start with /");
        var tcpPort = tcp is null ? null : Port(tcp, "tcp");
        if ((http ?? tcp) is not null && network == "none")
            throw ContainerConfig.Refused("health_check", "http and tcp checks need network bridge (with network none only exec can reach the agent)");
        var interval = ContainerConfig.Number<int>(check["interval_seconds"]) ?? 10;
        var timeout = ContainerConfig.Number<int>(check["timeout_seconds"]) ?? 5;
        var retries = ContainerConfig.Number<int>(check["retries"]) ?? 3;
        if (interval is < 1 or > 3600) throw ContainerConfig.Refused("health_check.interval_seconds", $"must be between 1 and 3600, got {interval}");
        if (timeout < 1 || timeout > interval) throw ContainerConfig.Refused("health_check.timeout_seconds", $"must be between 1 and interval_seconds, got {timeout}");
        if (retries is < 1 or > 100) throw ContainerConfig.Refused("health_check.retries", $"must be between 1 and 100, got {retries}");
        return new(exec, httpPort, http is null ? null : path, tcpPort, TimeSpan.FromSeconds(interval), TimeSpan.FromSeconds(timeout), retries);
    }
}
