using System.Globalization;
using System.Text.Json;

namespace Orchestrator.Protocol;

public static class ContainerViewExtensions
{
    // metadata.orchestrator_id, a string or (as in the seed's AGENT_CONFIG) a number; "" when absent.
    public static string OrchestratorId(this ContainerView container) =>
        container.Metadata.ValueKind == JsonValueKind.Object && container.Metadata.TryGetProperty("orchestrator_id", out var id)
            ? JsonIdentifier(id) ?? "" : "";

    // A string as is, a number in invariant digits; null for anything else.
    public static string? JsonIdentifier(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var n) ? n.ToString(CultureInfo.InvariantCulture) : element.GetRawText(),
        _ => null,
    };
}
