using System.Text.Json;
using Orchestrator.Protocol;

namespace Orchestrator.Manager.Scheduling;

// Which containers a deploy may use: the one seam where placement filters candidates (capabilities, then the
// caller's constraints: orchestrator_id and labels). The commit script re-checks status, capability and capacity.
public static class CandidateFilter
{
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
