namespace Orchestrator.Manager.Scheduling;

// A deploy request after validation: everything the scheduler needs, nothing left to check.
public sealed record DeployCommand(
    string AgentType,
    string ConfigJson,
    IPlacementStrategy Strategy,
    int Replicas,
    IReadOnlyList<string> RequiredCapabilities,
    string? OrchestratorId,
    IReadOnlyDictionary<string, string> Labels,
    string Policy,
    int? LeaseSeconds)
{
    // The tenants (orchestrator_ids) the deploy may place on: a scoped operator's own; null for the admin (anywhere).
    public IReadOnlySet<string>? Tenants { get; init; }

    // What each replica reserves on its node (container agents' resources.cpus and memory_mb; empty otherwise).
    public ContainerAgentConfig.Demand Demand { get; init; }

    // The author's signature over the spec, forwarded in each replica's assignment; never checked here (no key).
    public Protocol.Signing.SpecSignature? Signature { get; init; }

    // The deployment the replicas join and the revision of their spec (issue 25): null places a new deployment,
    // revision 1, whose id the scheduler draws.
    public string? DeploymentId { get; init; }

    public long Revision { get; init; } = 1;
}
