using Orchestrator.Manager.Containers;

namespace Orchestrator.Manager.Tenants;

// The manager's advice to an outdated node, "run version X" (HeartbeatResponse.recommended_node_version), given only
// while its tenant's maintenance window is open. Advice only: upgrading stays with the customer's own tooling.
// Cheap on the heartbeat path: an up-to-date node (the usual case) costs no Redis read at all.
public sealed class UpgradeAdvice(NodeVersionPolicy policy, MaintenanceWindows windows, ContainerStore containers)
{
    // tenant: the enrolled node's orchestrator_id claim; null (shared-password nodes) reads it from the container.
    public async Task<string?> ForAsync(string containerId, string? nodeVersion, string? tenant)
    {
        if (!policy.IsOutdated(nodeVersion)) return null;
        tenant ??= (await containers.GetAsync(containerId))?.OrchestratorId();
        var open = tenant is not { Length: > 0 } || await windows.IsOpenAsync(tenant);
        return open ? policy.RecommendedNodeVersion : null;
    }
}
