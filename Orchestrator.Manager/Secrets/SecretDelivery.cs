using System.Text.Json;
using Orchestrator.Manager.Containers;
using Orchestrator.ServiceDefaults;

namespace Orchestrator.Manager.Secrets;

// Adds secret values to one node's long-poll answer, at answer time and never stored: only to assignments in that
// container's desired hash (the authority on who holds an agent's current epoch), only from the tenant the node
// belongs to, and only for an assignment pinned to that same tenant, so a desired hash edited by hand cannot pull
// another tenant's secrets to a node.
public sealed class SecretDelivery(SecretStore secrets, ContainerStore containers, ILogger<SecretDelivery> logger)
{
    public async Task<IReadOnlyList<Assignment>> AddValuesAsync(string containerId, string? nodeTenant, IReadOnlyList<Assignment> assignments)
    {
        if (!assignments.Any(References)) return assignments;
        // An enrolled node's tenant comes from its signed token; a shared-password node's from its registration.
        var tenant = nodeTenant is { Length: > 0 } ? nodeTenant : (await containers.CredentialAsync(containerId)).OrchestratorId;
        var answered = new List<Assignment>(assignments.Count);
        foreach (var assignment in assignments)
        {
            var references = SecretReferences.Read(assignment.AgentConfig, out _);
            if (!references.Any || string.IsNullOrEmpty(tenant) || PinnedTenant(assignment.AgentConfig) != tenant)
            {
                answered.Add(assignment);
                continue;
            }
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var name in references.Names)
            {
                if (await secrets.OpenAsync(tenant, name) is { } value) values[name] = value;
                else logger.LogWarning("Agent {AgentId} references secret {Secret} of tenant {Tenant}, which is missing or cannot be opened",
                    assignment.AgentId, name, tenant);
            }
            answered.Add(assignment with { SecretValues = values });
        }
        return answered;
    }

    private static bool References(Assignment assignment) => SecretReferences.Read(assignment.AgentConfig, out _).Any;

    private static string? PinnedTenant(JsonElement config) =>
        config.ValueKind == JsonValueKind.Object && config.TryGetProperty("orchestrator_id", out var id) ? ContainerViewExtensions.JsonIdentifier(id) : null;
}
