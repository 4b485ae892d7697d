using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Manager.Scheduling;

// Where an agent may run, stored on its agent hash (AgentFields.Constraints) at placement so the rescheduler
// applies the same rules again: every capability it needs (its type's included), the labels, the pinned
// orchestrator_id, and the tenants its deployer could place on (null: the admin, anywhere).
public sealed record AgentConstraints(
    IReadOnlyList<string> Capabilities,
    IReadOnlyDictionary<string, string> Labels,
    string? OrchestratorId,
    IReadOnlyList<string>? Tenants)
{
    public static AgentConstraints From(DeployCommand command) => new(command.RequiredCapabilities, command.Labels, command.OrchestratorId,
        command.Tenants?.Order(StringComparer.Ordinal).ToList());

    // The tenant an agent placed on a container of `orchestratorId` belongs to: a pinned or scoped deploy binds
    // it there for good; the admin's unpinned deploy binds it to no tenant ("": it may move anywhere, as before).
    public string TenantOn(string orchestratorId) => OrchestratorId is not null || Tenants is not null ? orchestratorId : "";

    public string ToJson() => JsonSerializer.Serialize(this, AgentConstraintsJsonContext.Default.AgentConstraints);

    public static AgentConstraints? Parse(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize(json, AgentConstraintsJsonContext.Default.AgentConstraints);
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AgentConstraints))]
internal sealed partial class AgentConstraintsJsonContext : JsonSerializerContext;
