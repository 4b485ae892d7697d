using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Workloads;

namespace Orchestrator.Agent.Runtime;

// The local state file under DATA_DIR. Written atomically (temp file, then rename over the old one)
// so a crash mid-write never leaves a torn file behind.
// Secret values are sealed under the node-local key (NodeSecretKey) on the way out and opened on the way in.
public sealed class DesiredStateStore(IOptions<RuntimeOptions> options, IHostEnvironment environment, NodeSecretKey key)
{
    public const string FileName = "desired-state.json";

    public string FilePath { get; } = Path.Combine(Path.GetFullPath(options.Value.DataDirectory, environment.ContentRootPath), FileName);

    public async Task<LocalDesiredState?> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(FilePath)) return null;
        await using var stream = File.OpenRead(FilePath);
        var state = await JsonSerializer.DeserializeAsync(stream, RuntimeJsonContext.Default.LocalDesiredState, cancellationToken);
        return state is null ? null : state with { Agents = state.Agents.Select(Open).ToList() };
    }

    public async Task SaveAsync(LocalDesiredState state, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var temporary = FilePath + $".{Environment.ProcessId}.tmp";
        await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
        {
            await JsonSerializer.SerializeAsync(stream, state with { Agents = state.Agents.Select(Seal).ToList() },
                RuntimeJsonContext.Default.LocalDesiredState, cancellationToken);
        }
        File.Move(temporary, FilePath, overwrite: true);
    }

    private AgentDefinition Seal(AgentDefinition agent) => agent.SecretValues is { Count: > 0 } values
        ? agent with { SealedSecrets = key.Seal(agent.AgentId, JsonSerializer.Serialize(values, RuntimeJsonContext.Default.IReadOnlyDictionaryStringString)) }
        : agent;

    private AgentDefinition Open(AgentDefinition agent) => agent.SealedSecrets is { } sealedValues
        ? agent with
        {
            SealedSecrets = null,
            SecretValues = key.Open(agent.AgentId, sealedValues) is { } json
                ? JsonSerializer.Deserialize(json, RuntimeJsonContext.Default.IReadOnlyDictionaryStringString) : null,
        }
        : agent;
}
