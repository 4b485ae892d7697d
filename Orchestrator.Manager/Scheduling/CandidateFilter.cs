using System.Text.Json;
using Orchestrator.Protocol;

namespace Orchestrator.Manager.Scheduling;

// Which containers a deploy may use: the one seam where placement filters candidates (the caller's tenants,
// capabilities, then the deploy's constraints: orchestrator_id and labels). The commit script re-checks status, capability and capacity.
public static class CandidateFilter
{
    // Within the tenants the caller may deploy to (null: every tenant, the admin).
    public static bool Visible(FleetCandidate container, DeployCommand command) =>
        command.Tenants is null || command.Tenants.Contains(container.OrchestratorId);

    public static bool Supports(FleetCandidate container, IReadOnlyList<string> capabilities)
    {
        foreach (var capability in capabilities)
        {
            if (!container.Capabilities.Contains(capability)) return false;
        }
        return true;
    }

    public static bool Matches(FleetCandidate container, DeployCommand command) =>
        (command.OrchestratorId is null || container.OrchestratorId == command.OrchestratorId) && HasLabels(container.Metadata, command.Labels);

    private static bool HasLabels(JsonElement metadata, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var label in labels)
        {
            if (metadata.ValueKind != JsonValueKind.Object || !metadata.TryGetProperty(label.Key, out var value)) return false;
            if ((ContainerViewExtensions.JsonIdentifier(value) ?? value.GetRawText()) != label.Value) return false;
        }
        return true;
    }
}
