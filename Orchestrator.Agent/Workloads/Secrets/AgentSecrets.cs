using System.Text.Json;
using Orchestrator.ServiceDefaults;

namespace Orchestrator.Agent.Workloads.Secrets;

// What one agent gets of its secrets: env variables and files (name -> value), and the registry auth JSON its
// image_pull_secret names (container agents), resolved from the references in its agent_config and the values its
// assignment delivered. Checked again here (names, env denylist): the node does not rely on the manager. A value
// that did not arrive fails the agent with the reference, never the value.
public sealed record AgentSecrets(IReadOnlyDictionary<string, string> Env, IReadOnlyDictionary<string, string> Files, string? ImagePullAuth = null)
{
    public static AgentSecrets None { get; } = new(new Dictionary<string, string>(), new Dictionary<string, string>());

    public bool Any => Env.Count > 0 || Files.Count > 0 || ImagePullAuth is not null;

    // Every value, for redaction: the pull credentials' JSON and the password inside it too.
    public IEnumerable<string> Values => Env.Values.Concat(Files.Values)
        .Concat(ImagePullAuth is null ? [] : [ImagePullAuth, .. RegistryAuth.Passwords(ImagePullAuth)]);

    public static AgentSecrets Of(AgentDefinition agent)
    {
        var config = agent.AgentConfig is null ? (JsonElement?)null : JsonSerializer.SerializeToElement(agent.AgentConfig);
        var references = SecretReferences.Read(config, out var errors);
        if (errors.Count > 0) throw new AgentConfigException($"{errors.First().Key} refused: {errors.First().Value[0]}");
        if (!references.Any) return None;
        var values = agent.SecretValues ?? new Dictionary<string, string>();
        var pull = references.ImagePull is not { } name ? null : values.TryGetValue(name, out var auth) ? auth
            : throw new AgentConfigException($"agent_config.{SecretReferences.ImagePullField}: the value of secret '{name}' was not delivered to this node");
        return new(Resolve(references.Env, values, SecretReferences.EnvField), Resolve(references.Files, values, SecretReferences.FilesField), pull);
    }

    private static Dictionary<string, string> Resolve(IReadOnlyDictionary<string, string> map, IReadOnlyDictionary<string, string> values, string field) =>
        map.ToDictionary(p => p.Key, p => values.TryGetValue(p.Value, out var value) ? value
            : throw new AgentConfigException($"agent_config.{field}.{p.Key}: the value of secret '{p.Value}' was not delivered to this node"),
            StringComparer.Ordinal);
}
