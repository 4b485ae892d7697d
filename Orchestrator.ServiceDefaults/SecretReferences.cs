using System.Text.Json;

namespace Orchestrator.ServiceDefaults;

// The secrets an agent_config references, never their values: `secrets` {"ENV_NAME": "secret-name"} sets env
// variables, `secret_files` {"key.pem": "secret-name"} writes files. Shared by the manager (400 at deploy, and
// which values an assignment carries) and the node (which checks again: it does not rely on the manager).
// `image_pull_secret` "secret-name" (container agents) names registry credentials: a secret whose value is a registry
// auth JSON (config.json's {"auths": {...}} or {"username", "password"}), used for that agent's image pull only.
public sealed record SecretReferences(IReadOnlyDictionary<string, string> Env, IReadOnlyDictionary<string, string> Files, string? ImagePull = null)
{
    public const string EnvField = "secrets";
    public const string FilesField = "secret_files";
    public const string ImagePullField = "image_pull_secret";

    public static SecretReferences None { get; } = new(new Dictionary<string, string>(), new Dictionary<string, string>());

    public bool Any => Env.Count > 0 || Files.Count > 0 || ImagePull is not null;

    // Every secret name referenced, once.
    public IEnumerable<string> Names => Env.Values.Concat(Files.Values).Concat(ImagePull is null ? [] : [ImagePull]).Distinct(StringComparer.Ordinal);

    // The references, or the problems with them keyed by field (agent_config.secrets.NAME ...).
    public static SecretReferences Read(JsonElement? config, out Dictionary<string, string[]> errors)
    {
        errors = [];
        if (config is not { ValueKind: JsonValueKind.Object } obj) return None;
        var env = Map(obj, EnvField, EnvRefusal, errors);
        var files = Map(obj, FilesField, FileRefusal, errors);
        string? pull = null;
        if (obj.TryGetProperty(ImagePullField, out var named) && named.ValueKind != JsonValueKind.Null)
        {
            if (named.ValueKind == JsonValueKind.String && IsSecretName(named.GetString())) pull = named.GetString();
            else errors[$"agent_config.{ImagePullField}"] = [$"agent_config.{ImagePullField} must name a secret (1-128 letters, digits, '.', '_' or '-')."];
        }
        return new(env, files, pull);
    }

    // Null when a file name may be used under the agent's secrets directory; otherwise why not.
    public static string? FileRefusal(string name)
    {
        if (name.Length is 0 or > 128) return $"'{name}' must be 1-128 characters";
        if (name is "." or ".." || name.Contains("..", StringComparison.Ordinal)) return $"'{name}' may not contain '..'";
        if (name.IndexOfAny(['/', '\\', '\0']) >= 0) return $"'{name}' may not contain a path separator";
        if (name.Any(char.IsControl)) return $"'{name}' may not contain control characters";
        return null;
    }

    private static string? EnvRefusal(string name) => ProcessEnvironmentPolicy.Refusal(name)?.Replace("agent_config.env", "agent_config.secrets", StringComparison.Ordinal);

    // A secret's name as the store takes it (SecretValidation on the manager).
    public static bool IsSecretName(string? name) =>
        name is { Length: > 0 and <= 128 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static Dictionary<string, string> Map(JsonElement config, string property, Func<string, string?> keyRefusal,
        Dictionary<string, string[]> errors)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!config.TryGetProperty(property, out var value) || value.ValueKind == JsonValueKind.Null) return map;
        if (value.ValueKind != JsonValueKind.Object)
        {
            errors[$"agent_config.{property}"] = [$"agent_config.{property} must be an object of secret names."];
            return map;
        }
        foreach (var entry in value.EnumerateObject())
        {
            var field = $"agent_config.{property}.{entry.Name}";
            if (keyRefusal(entry.Name) is { } refusal) errors[field] = [$"agent_config.{property} {refusal}."];
            else if (entry.Value.ValueKind != JsonValueKind.String || !IsSecretName(entry.Value.GetString()))
                errors[field] = [$"{field} must name a secret (1-128 letters, digits, '.', '_' or '-')."];
            else map[entry.Name] = entry.Value.GetString()!;
        }
        return map;
    }
}
