namespace Orchestrator.Manager.Tenants;

public static class TenantScope
{
    // The containers of these tenants; every container when tenants is null (the admin).
    public static IReadOnlyList<ContainerView> Within(IReadOnlyList<ContainerView> containers, IReadOnlySet<string>? tenants) =>
        tenants is null ? containers : containers.Where(c => tenants.Contains(c.OrchestratorId())).ToList();
}
