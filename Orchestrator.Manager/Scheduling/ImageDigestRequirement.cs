using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Scheduling;

// A tenant's require_image_digest: a container agent that may land on its nodes must name its image by digest,
// so every node of that customer runs exactly the bytes the vendor pushed, never whatever a tag points to today.
// Checked at deploy, before placement: a tag is a 400 naming agent_config.image and the tenant.
public sealed class ImageDigestRequirement(TenantQuotas quotas)
{
    // The tenant that refuses this deploy's image, or null. The tenants a deploy may land on: the pinned
    // orchestrator_id, else a scoped operator's tenants, else (an unpinned admin deploy) every tenant.
    public async Task<string?> RefusingTenantAsync(DeployCommand command, string? image)
    {
        if (command.AgentType != ContainerAgentConfig.AgentType || image is null || ContainerAgentConfig.IsDigestReference(image)) return null;
        var requiring = (await quotas.ReadAllAsync()).Where(q => q.Value.RequireImageDigest).Select(q => q.Key).Order(StringComparer.Ordinal);
        if (command.OrchestratorId is { } pinned) return requiring.Contains(pinned) ? pinned : null;
        return command.Tenants is { } scoped ? requiring.FirstOrDefault(scoped.Contains) : requiring.FirstOrDefault();
    }

    public static Dictionary<string, string[]> Refusal(string tenant, string image) => new()
    {
        ["agent_config.image"] = [$"Tenant '{tenant}' requires images by digest (require_image_digest): name '{image}' as "
            + "registry/repo@sha256:<digest>, the digest `podman push --digestfile` or the registry reports."],
    };
}
