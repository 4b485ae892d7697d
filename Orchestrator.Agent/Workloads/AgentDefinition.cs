using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Orchestrator.Protocol.Signing;

namespace Orchestrator.Agent.Workloads;

// One desired agent: what the manager assigns, or what the local state file holds.
// OnClusterLoss and LeaseSeconds come with the manager's assignment: see docs/protocol.md "Fencing".
// ConfigError: why its agent_config could not be read (a duplicate key); the agent then fails with it, alone.
// Signature: the author's signature over the spec as the manager forwarded it, checked before every start (SpecGate).
public sealed record AgentDefinition(
    string AgentId, string AgentType, JsonObject? AgentConfig, long Epoch = 1,
    string OnClusterLoss = "keep", int? LeaseSeconds = null, string? Traceparent = null, string? ConfigError = null,
    SpecSignature? Signature = null)
{
    // The values of the secrets agent_config references (secret name -> value), as the assignment delivered them.
    // Never written as is: the state file holds them only sealed (SealedSecrets, under NodeSecretKey).
    [JsonIgnore]
    public IReadOnlyDictionary<string, string>? SecretValues { get; init; }

    // The assignment's desired_state: "stopped" stops the agent and keeps its data (a drain moving it); null: running.
    // Force: stop, restart or update without waiting for the agent's update lock. Neither is part of the spec (SameAs):
    // they change what happens to the agent, not what it runs.
    public string? DesiredState { get; init; }

    public bool Force { get; init; }

    [JsonIgnore]
    public bool StoppedByDesire => DesiredState == Protocol.AgentStates.Stopped;

    // SecretValues sealed, in the state file only (DesiredStateStore); null in memory.
    public string? SealedSecrets { get; init; }

    // A changed secret value is a changed definition: the agent restarts with the new one.
    public bool SameAs(AgentDefinition other) =>
        AgentType == other.AgentType && Epoch == other.Epoch && ConfigError == other.ConfigError
        && JsonNode.DeepEquals(AgentConfig, other.AgentConfig) && SameSecrets(SecretValues, other.SecretValues);

    private static bool SameSecrets(IReadOnlyDictionary<string, string>? a, IReadOnlyDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a ?? new Dictionary<string, string>()).All(p => b!.TryGetValue(p.Key, out var v) && v == p.Value);
}
