using System.Text.Json.Serialization;

namespace Orchestrator.Agent.Runtime;

// The full desired set (level-triggered), as written to DATA_DIR and as the manager's assignments carry it.
public sealed record DesiredState(long Generation, IReadOnlyList<AgentDefinition> Agents)
{
    public static DesiredState Empty { get; } = new(0, []);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(DesiredState))]
public sealed partial class RuntimeJsonContext : JsonSerializerContext;
