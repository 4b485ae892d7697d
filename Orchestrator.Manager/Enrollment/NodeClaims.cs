using System.Text.Json;
using System.Text.Json.Nodes;
using Orchestrator.Manager.Contracts;

namespace Orchestrator.Manager.Enrollment;

// What a node may say about itself. It may report address, port, resources and capabilities, within the
// bounds its enrollment token set; the customer (metadata.orchestrator_id) and the labels are the manager's.
public static class NodeClaims
{
    public sealed record Refusal(string Field, string Detail);

    public sealed record Accepted(string OrchestratorId, IReadOnlyList<string> Capabilities, string MetadataJson, int MaxAgents);

    // The registration body is already validated (RequestValidation). Claims beyond the bounds are refused, not
    // trimmed: a node that asks for more than it may have is misconfigured or hostile, and should hear so.
    public static (Accepted? Accepted, Refusal? Refusal) Check(RegisterContainerRequest request, NodeBounds bounds, string? fixedOrchestratorId)
    {
        var metadata = request.Metadata is { ValueKind: JsonValueKind.Object } m ? JsonNode.Parse(m.GetRawText())!.AsObject() : [];
        var claimed = request.Metadata is { ValueKind: JsonValueKind.Object } meta && meta.TryGetProperty("orchestrator_id", out var id)
            ? ContainerViewExtensions.JsonIdentifier(id) ?? id.GetRawText() : null;

        string orchestratorId;
        if (fixedOrchestratorId is not null) orchestratorId = fixedOrchestratorId;
        else if (bounds.OrchestratorIds.Count == 1) orchestratorId = bounds.OrchestratorIds[0];
        else if (claimed is not null && bounds.OrchestratorIds.Contains(claimed)) orchestratorId = claimed;
        else return (null, new("metadata.orchestrator_id",
            $"This enrollment token enrolls orchestrator_id {string.Join(" or ", bounds.OrchestratorIds.Select(o => $"'{o}'"))}; " +
            $"metadata.orchestrator_id must name one{(claimed is null ? "" : $", not '{claimed}'")}."));
        if (claimed is not null && claimed != orchestratorId)
            return (null, new("metadata.orchestrator_id",
                $"This node belongs to orchestrator_id '{orchestratorId}'; it may not claim '{claimed}'."));

        var maxAgents = request.MaxAgents
            ?? (metadata["max_agents"] is JsonValue v && v.TryGetValue<int>(out var fromMetadata) ? fromMetadata : bounds.MaxAgents);
        if (maxAgents > bounds.MaxAgents)
            return (null, new("max_agents", $"max_agents {maxAgents} is above this node's bound of {bounds.MaxAgents}."));

        var capabilities = request.Capabilities ?? [];
        if (bounds.Capabilities is { } allowed && capabilities.FirstOrDefault(c => !allowed.Contains(c)) is { } extra)
            return (null, new("capabilities", $"capability '{extra}' is not among those this node may offer ({string.Join(", ", allowed)})."));

        foreach (var (label, value) in bounds.Labels ?? new Dictionary<string, string>())
        {
            if (metadata[label] is { } given && (given is not JsonValue gv || gv.ToString() != value))
                return (null, new($"metadata.{label}", $"metadata.{label} is set by the manager to '{value}'; the node may not change it."));
            metadata[label] = value;
        }
        metadata["orchestrator_id"] = orchestratorId;
        metadata["max_agents"] = maxAgents;
        return (new(orchestratorId, capabilities, metadata.ToJsonString(), maxAgents), null);
    }
}
