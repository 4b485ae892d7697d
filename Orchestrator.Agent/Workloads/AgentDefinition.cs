using System.Text.Json.Nodes;
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
    public bool SameAs(AgentDefinition other) =>
        AgentType == other.AgentType && Epoch == other.Epoch && ConfigError == other.ConfigError
        && JsonNode.DeepEquals(AgentConfig, other.AgentConfig);
}
