using System.Text;
using System.Text.Json;

namespace Orchestrator.Agent.Workloads.Secrets;

// Registry credentials as JSON: the standard config.json ({"auths": {"host": {"auth": "base64(user:pass)"}}}, as in
// REGISTRY_AUTH_FILE) or one registry's {"username", "password"[, "serveraddress"]} (the engine's X-Registry-Auth).
public sealed record RegistryCredentials(string Username, string Password, string Registry);

public static class RegistryAuth
{
    // The credentials for registry, or null when the JSON has none for it. Malformed JSON throws AgentConfigException
    // naming what is wrong, never the value.
    public static RegistryCredentials? For(string json, string registry, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            throw new AgentConfigException($"{source} is not registry auth JSON ({{\"auths\": {{...}}}} or {{\"username\", \"password\"}})");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new AgentConfigException($"{source} is not a JSON object");
            if (root.TryGetProperty("auths", out var auths) && auths.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in auths.EnumerateObject())
                {
                    if (!string.Equals(Host(entry.Name), registry, StringComparison.OrdinalIgnoreCase)) continue;
                    if (entry.Value.ValueKind != JsonValueKind.Object) continue;
                    if (entry.Value.TryGetProperty("auth", out var auth) && auth.GetString() is { } encoded && Pair(encoded) is { } pair)
                        return new(pair.User, pair.Password, registry);
                    if (Text(entry.Value, "username") is { } u && Text(entry.Value, "password") is { } p) return new(u, p, registry);
                }
                return null;
            }
            if (Text(root, "username") is { } user && Text(root, "password") is { } password)
            {
                var server = Text(root, "serveraddress") is { } s ? Host(s) : registry;
                return string.Equals(server, registry, StringComparison.OrdinalIgnoreCase) ? new(user, password, registry) : null;
            }
            throw new AgentConfigException($"{source} has neither \"auths\" nor \"username\" and \"password\"");
        }
    }

    // The passwords in a registry auth JSON (for redaction); nothing when it cannot be read.
    public static IEnumerable<string> Passwords(string json)
    {
        var found = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return found;
            if (Text(root, "password") is { } p) found.Add(p);
            if (root.TryGetProperty("auths", out var auths) && auths.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in auths.EnumerateObject().Where(e => e.Value.ValueKind == JsonValueKind.Object))
                {
                    if (Text(entry.Value, "password") is { } password) found.Add(password);
                    if (Text(entry.Value, "auth") is { } encoded && Pair(encoded) is { } pair) found.AddRange([encoded, pair.Password]);
                }
            }
        }
        catch (JsonException)
        {
        }
        return found;
    }

    private static string Host(string name) =>
        name.Replace("https://", "", StringComparison.Ordinal).Replace("http://", "", StringComparison.Ordinal).TrimEnd('/').Split('/')[0];

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static (string User, string Password)? Pair(string encoded)
    {
        try
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            var colon = pair.IndexOf(':');
            return colon < 0 ? null : (pair[..colon], pair[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
