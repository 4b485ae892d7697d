
namespace Orchestrator.Manager.Scheduling;

public abstract record DeployOutcome
{
    public sealed record Placed(DeployResponse Response) : DeployOutcome;

    // No registered container offers a capability the agent type needs.
    public sealed record Unsupported(string Capability) : DeployOutcome;

    // Containers support the type, but none matches the constraints (orchestrator_id, labels).
    public sealed record NoMatch(string Detail) : DeployOutcome;

    public sealed record NoCapacity(int Requested, int Available) : DeployOutcome;

    // Containers had agent slots but not the resources each replica asks for: Resource is "cpus" or "memory_mb".
    public sealed record NoResources(string Resource, ContainerAgentConfig.Demand Demand, int Requested) : DeployOutcome;

    // The plan would take a tenant past its max_agents quota (issue 13).
    public sealed record OverQuota(string Tenant, int Quota, int Used, int Adding) : DeployOutcome;

    // Other deploys held the tenant's quota lease for longer than a lease lives (TenantQuotaGate): try again.
    public sealed record QuotaBusy(string Tenant) : DeployOutcome;
}
