using System.Globalization;
using System.Text.Json;
using Orchestrator.Manager.Contracts;

namespace Orchestrator.Manager.Scheduling;

public static class ContainerViewExtensions
{
    // metadata.orchestrator_id, a string or (as in the seed's AGENT_CONFIG) a number.
    public static string OrchestratorId(this ContainerView container) =>
        container.Metadata.ValueKind == JsonValueKind.Object && container.Metadata.TryGetProperty("orchestrator_id", out var id)
            ? JsonIdentifier(id) ?? "" : "";

    public static string? JsonIdentifier(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var n) ? n.ToString(CultureInfo.InvariantCulture) : element.GetRawText(),
        _ => null,
    };

    public static bool HasLabels(this ContainerView container, IReadOnlyDictionary<string, string> labels) =>
        labels.All(label => container.Metadata.ValueKind == JsonValueKind.Object
            && container.Metadata.TryGetProperty(label.Key, out var value)
            && (JsonIdentifier(value) ?? value.GetRawText()) == label.Value);
}
