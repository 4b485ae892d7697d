using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace Orchestrator.Manager.Containers;

// Reads a container hash back into its wire shape.
internal static class ContainerRecord
{
    public static ContainerView? ToView(HashEntry[] entries)
    {
        if (entries.Length == 0) return null;
        var fields = entries.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
        string Field(string name) => fields.TryGetValue(name, out var value) ? value : "";
        long Long(string name) => long.TryParse(Field(name), CultureInfo.InvariantCulture, out var v) ? v : 0;

        return new ContainerView(
            ContainerId: Field(ContainerFields.Id),
            ContainerName: Field(ContainerFields.Name),
            HostAddress: Field(ContainerFields.Host),
            ApiPort: (int)Long(ContainerFields.Port),
            Capabilities: Json(Field(ContainerFields.Capabilities)) is { ValueKind: JsonValueKind.Array } caps
                ? caps.EnumerateArray().Select(c => c.GetString() ?? "").ToList() : [],
            Resources: Json(Field(ContainerFields.Resources)) ?? EmptyObject,
            Metadata: Json(Field(ContainerFields.Metadata)) ?? EmptyObject,
            Status: Field(ContainerFields.Status),
            RegisteredAt: DateTimeOffset.FromUnixTimeMilliseconds(Long(ContainerFields.RegisteredAt)),
            LastHeartbeat: DateTimeOffset.FromUnixTimeMilliseconds(Long(ContainerFields.LastHeartbeat)),
            HealthScore: double.TryParse(Field(ContainerFields.HealthScore), CultureInfo.InvariantCulture, out var score) ? score : 0,
            ActiveAgents: (int)Long(ContainerFields.ActiveAgents),
            MaxAgents: (int)Long(ContainerFields.MaxAgents),
            Usage: Json(Field(ContainerFields.Usage)),
            AssignedAgents: (int)Long(ContainerFields.AssignedAgents),
            Eligibility: Field(ContainerFields.Eligibility) == ContainerEligibility.Ineligible ? ContainerEligibility.Ineligible : ContainerEligibility.Eligible,
            EligibilityReason: Field(ContainerFields.EligibilityReason) is { Length: > 0 } reason ? reason : null,
            Drain: Field(ContainerFields.Drain) is { Length: > 0 } drain ? JsonSerializer.Deserialize(drain, ProtocolJsonContext.Default.DrainProgress) : null,
            NodeVersion: Field(ContainerFields.NodeVersion) is { Length: > 0 } version ? version : null,
            ProtocolVersion: int.TryParse(Field(ContainerFields.ProtocolVersion), CultureInfo.InvariantCulture, out var protocol) ? protocol : null);
    }

    private static readonly JsonElement EmptyObject = JsonDocument.Parse("{}").RootElement.Clone();

    private static JsonElement? Json(string text)
    {
        if (string.IsNullOrEmpty(text)) return null;
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }
}
