using System.Text.Json.Nodes;

namespace Orchestrator.Agent.Workloads;

// One desired agent: what the manager assigns, or what the local state file holds.
// OnClusterLoss and LeaseSeconds come with the manager's assignment: see docs/protocol.md "Fencing".
public sealed record AgentDefinition(
    string AgentId, string AgentType, JsonObject? AgentConfig, long Epoch = 1,
    string OnClusterLoss = "keep", int? LeaseSeconds = null, string? Traceparent = null)
{
    public bool SameAs(AgentDefinition other) =>
        AgentType == other.AgentType && Epoch == other.Epoch && JsonNode.DeepEquals(AgentConfig, other.AgentConfig);
}
