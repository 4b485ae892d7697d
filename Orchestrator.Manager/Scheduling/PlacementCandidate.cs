namespace Orchestrator.Manager.Scheduling;

// A container that may take an agent, with the load figures strategies rank by.
// Assigned counts every agent placed on it, whatever state its orchestrator last reported.
public sealed record PlacementCandidate(
    string ContainerId,
    string OrchestratorId,
    int Assigned,
    int MaxAgents,
    double HealthScore)
{
    public bool HasRoom => Assigned < MaxAgents;

    public double Load => MaxAgents <= 0 ? 1.0 : (double)Assigned / MaxAgents;

    public PlacementCandidate WithOneMore() => this with { Assigned = Assigned + 1 };
}
