using System.Text.Json.Serialization;
using Orchestrator.Agent.Workloads;

namespace Orchestrator.Agent.Runtime;

// The node's copy of its full desired set (level-triggered), as written to DATA_DIR and as the manager's
// assignments carry it. (The manager's own DesiredState is the stored form it sends.)
public sealed record LocalDesiredState(long Generation, IReadOnlyList<AgentDefinition> Agents)
{
    public static LocalDesiredState Empty { get; } = new(0, []);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(LocalDesiredState))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
public sealed partial class RuntimeJsonContext : JsonSerializerContext;
