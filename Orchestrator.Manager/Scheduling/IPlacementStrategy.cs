namespace Orchestrator.Manager.Scheduling;

// Ranks candidates for one agent. The first entry is tried first; when the atomic capacity check in
// Redis refuses it (another replica filled it meanwhile), the placer falls through to the next.
public interface IPlacementStrategy
{
    string Name { get; }

    IReadOnlyList<PlacementCandidate> Rank(IReadOnlyList<PlacementCandidate> candidates, long sequence);
}
