using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Orchestrator.Protocol;

// The rules of a `container` agent's agent_config (docs/protocol.md "Container agents"), in one place so the
// manager refuses bad config at deploy (400 naming the field) and a node can check the same rules again:
//   image (required, registry/repo:tag or registry/repo@sha256:...), command (list), env (map),
//   resources {cpus, memory_mb, pids}, stop_timeout_seconds, network (bridge | none), keep_volume,
//   health_check {exec | http {port, path} | tcp {port}, interval_seconds, timeout_seconds, retries}.
// Unknown fields inside resources and health_check are refused: a misspelt limit must not silently be no limit.
public static partial class ContainerAgentConfig
{
    public const string AgentType = "container";

    // The capability a node advertises only while its container engine answers.
    public const string Capability = "container";

    public const string Bridge = "bridge";
    public const string None = "none";

    public const int MaxCommandItems = 256;
    public const int MaxEnvVariables = 256;
    public const double MaxCpus = 1024;
    public const long MaxMemoryMb = 1L << 24; // 16 TiB
    // Docker refuses a memory limit below 6 MB.
    public const long MinMemoryMb = 6;

    private static readonly HashSet<string> ResourceFields = ["cpus", "memory_mb", "pids"];
    private static readonly HashSet<string> HttpFields = ["port", "path"];
    private static readonly HashSet<string> TcpFields = ["port"];
    private static readonly HashSet<string> HealthFields = ["exec", "http", "tcp", "interval_seconds", "timeout_seconds", "retries"];

    // What a container agent asks the node to set aside: CPU in thousandths of a CPU and memory in MB
    // (0: not requested). Placement reserves it against the node's registered cpu_count and memory_limit.
    public readonly record struct Demand(long CpuMillis, long MemoryMb)
    {
        public bool IsEmpty => CpuMillis == 0 && MemoryMb == 0;
    }

    // Every problem of config as field -> messages, fields named from agent_config (e.g. agent_config.resources.memory_mb).
    public static Dictionary<string, string[]> Validate(JsonElement? config)
    {
        var errors = new Dictionary<string, string[]>();
        if (config is not { ValueKind: JsonValueKind.Object } c)
        {
            errors["agent_config.image"] = ["agent_config.image is required for a container agent."];
            return errors;
        }
        Image(c, errors);
        if (Present(c, "command", out var command)) StringList(command, "agent_config.command", errors, allowEmpty: false);
        if (Present(c, "env", out var env)) Environment(env, errors);
        if (Present(c, "resources", out var resources)) Resources(resources, errors);
        if (Present(c, "stop_timeout_seconds", out var stop)) Integer(stop, "agent_config.stop_timeout_seconds", 0, 3600, errors);
        if (Present(c, "network", out var network) && network.GetStringOrNull() is not (Bridge or None))
            errors["agent_config.network"] = ["agent_config.network must be 'bridge' (the default) or 'none'."];
        if (Present(c, "keep_volume", out var keep) && keep.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            errors["agent_config.keep_volume"] = ["agent_config.keep_volume must be true or false."];
        if (Present(c, "health_check", out var health)) HealthCheck(health, errors);
        return errors;
    }

    // True when the image names an exact version (…@sha256:<64 hex>), as a tenant with require_image_digest wants.
    public static bool IsDigestReference(string image) => DigestSuffix().IsMatch(image);

    public static string? ImageOf(JsonElement? config) =>
        config is { ValueKind: JsonValueKind.Object } c && c.TryGetProperty("image", out var image) && image.ValueKind == JsonValueKind.String
            ? image.GetString() : null;

    // The resources a valid config requests (see Demand); zero for what it leaves out.
    public static Demand DemandOf(JsonElement? config)
    {
        if (config is not { ValueKind: JsonValueKind.Object } c || !c.TryGetProperty("resources", out var r) || r.ValueKind != JsonValueKind.Object)
            return default;
        var cpus = r.TryGetProperty("cpus", out var cpu) && cpu.ValueKind == JsonValueKind.Number ? cpu.GetDouble() : 0;
        var memory = r.TryGetProperty("memory_mb", out var mem) && mem.ValueKind == JsonValueKind.Number && mem.TryGetInt64(out var mb) ? mb : 0;
        return new Demand((long)Math.Round(cpus * 1000, MidpointRounding.AwayFromZero), memory);
    }

    private static void Image(JsonElement c, Dictionary<string, string[]> errors)
    {
        if (!Present(c, "image", out var image) || image.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(image.GetString()))
        {
            errors["agent_config.image"] = ["agent_config.image is required: registry/repo:tag or registry/repo@sha256:<digest>."];
            return;
        }
        var reference = image.GetString()!;
        if (reference.Length > 512 || !Reference().IsMatch(reference))
            errors["agent_config.image"] = [$"agent_config.image '{Shorten(reference)}' is not an image reference with a tag or digest "
                + "(registry/repo:tag or registry/repo@sha256:<64 hex digits>)."];
    }

    private static void Environment(JsonElement env, Dictionary<string, string[]> errors)
    {
        if (env.ValueKind != JsonValueKind.Object)
        {
            errors["agent_config.env"] = ["agent_config.env must be an object of strings."];
            return;
        }
        var count = 0;
        foreach (var variable in env.EnumerateObject())
        {
            if (++count > MaxEnvVariables)
            {
                errors["agent_config.env"] = [$"agent_config.env may hold at most {MaxEnvVariables} variables."];
                return;
            }
            if (!EnvName().IsMatch(variable.Name))
                errors[$"agent_config.env.{Shorten(variable.Name)}"] = ["agent_config.env names are letters, digits and '_', not starting with a digit."];
            else if (variable.Value.ValueKind != JsonValueKind.String)
                errors[$"agent_config.env.{variable.Name}"] = ["agent_config.env values must be strings."];
        }
    }

    private static void Resources(JsonElement resources, Dictionary<string, string[]> errors)
    {
        if (resources.ValueKind != JsonValueKind.Object)
        {
            errors["agent_config.resources"] = ["agent_config.resources must be an object: cpus, memory_mb, pids."];
            return;
        }
        Unknown(resources, ResourceFields, "agent_config.resources", errors);
        if (Present(resources, "cpus", out var cpus)
            && (cpus.ValueKind != JsonValueKind.Number || cpus.GetDouble() is <= 0 or > MaxCpus || Math.Round(cpus.GetDouble(), 3) != cpus.GetDouble()))
            errors["agent_config.resources.cpus"] = [$"agent_config.resources.cpus must be a number of CPUs above 0 and at most {MaxCpus}, "
                + "in steps of 0.001 (e.g. 0.5)."];
        if (Present(resources, "memory_mb", out var memory)) Integer(memory, "agent_config.resources.memory_mb", MinMemoryMb, MaxMemoryMb, errors);
        if (Present(resources, "pids", out var pids)) Integer(pids, "agent_config.resources.pids", 1, 1_000_000, errors);
    }

    // A process agent's health_check: the same shape, exec only (the node runs it; http and tcp would need an address).
    public static void ValidateExecHealthCheck(JsonElement health, Dictionary<string, string[]> errors)
    {
        const string field = "agent_config.health_check";
        HealthCheck(health, errors);
        if (health.ValueKind == JsonValueKind.Object && !Present(health, "exec", out _))
            errors[field] = [$"{field} of a process agent needs exec (a command list); http and tcp are for container agents."];
    }

    private static void HealthCheck(JsonElement health, Dictionary<string, string[]> errors)
    {
        const string field = "agent_config.health_check";
        if (health.ValueKind != JsonValueKind.Object)
        {
            errors[field] = [$"{field} must be an object with one of exec, http or tcp."];
            return;
        }
        Unknown(health, HealthFields, field, errors);
        var kinds = new[] { "exec", "http", "tcp" }.Where(kind => Present(health, kind, out _)).ToList();
        if (kinds.Count != 1) errors[field] = [$"{field} needs exactly one of exec (a command list), http ({{port, path}}) or tcp ({{port}})."];
        if (Present(health, "exec", out var exec)) StringList(exec, $"{field}.exec", errors, allowEmpty: false);
        if (Present(health, "http", out var http)) Probe(http, $"{field}.http", withPath: true, errors);
        if (Present(health, "tcp", out var tcp)) Probe(tcp, $"{field}.tcp", withPath: false, errors);
        if (Present(health, "interval_seconds", out var interval)) Integer(interval, $"{field}.interval_seconds", 1, 3600, errors);
        if (Present(health, "timeout_seconds", out var timeout)) Integer(timeout, $"{field}.timeout_seconds", 1, 3600, errors);
        if (Present(health, "retries", out var retries)) Integer(retries, $"{field}.retries", 1, 100, errors);
    }

    private static void Probe(JsonElement probe, string field, bool withPath, Dictionary<string, string[]> errors)
    {
        if (probe.ValueKind != JsonValueKind.Object)
        {
            errors[field] = [withPath ? $"{field} must be an object: port, path." : $"{field} must be an object: port."];
            return;
        }
        Unknown(probe, withPath ? HttpFields : TcpFields, field, errors);
        if (!Present(probe, "port", out var port)) errors[$"{field}.port"] = [$"{field}.port is required."];
        else Integer(port, $"{field}.port", 1, 65535, errors);
        if (withPath && Present(probe, "path", out var path)
            && (path.GetStringOrNull() is not { Length: > 0 and <= 2048 } p || !p.StartsWith('/')))
            errors[$"{field}.path"] = [$"{field}.path must be a path starting with '/'."];
    }

    private static void StringList(JsonElement list, string field, Dictionary<string, string[]> errors, bool allowEmpty)
    {
        if (list.ValueKind != JsonValueKind.Array || list.GetArrayLength() > MaxCommandItems
            || list.EnumerateArray().Any(item => item.ValueKind != JsonValueKind.String) || !allowEmpty && list.GetArrayLength() == 0)
            errors[field] = [$"{field} must be a non-empty list of strings (at most {MaxCommandItems})."];
    }

    private static void Integer(JsonElement value, string field, long min, long max, Dictionary<string, string[]> errors)
    {
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var n) || n < min || n > max)
            errors[field] = [$"{field} must be a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}."];
    }

    private static void Unknown(JsonElement obj, IReadOnlySet<string> known, string field, Dictionary<string, string[]> errors)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (!known.Contains(property.Name))
                errors[$"{field}.{Shorten(property.Name)}"] = [$"{field} has no field '{Shorten(property.Name)}'; known: {string.Join(", ", known)}."];
        }
    }

    private static bool Present(JsonElement obj, string name, out JsonElement value) =>
        obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    private static string? GetStringOrNull(this JsonElement value) => value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static string Shorten(string value) => value.Length <= 80 ? value : value[..80] + "…";

    // The distribution reference grammar (domain[:port]/path[:tag][@digest]), requiring a tag or a digest:
    // an untagged name would mean whatever `latest` is on the day of the pull.
    [GeneratedRegex(@"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]{1,5})?/)?"
        + @"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
        + @"(?:(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})(?:@sha256:[0-9a-f]{64})?|@sha256:[0-9a-f]{64})$")]
    private static partial Regex Reference();

    [GeneratedRegex("@sha256:[0-9a-f]{64}$")]
    private static partial Regex DigestSuffix();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,127}$")]
    private static partial Regex EnvName();
}
