namespace Orchestrator.Manager.Scheduling;

// Ranks candidates for one agent. The first entry is tried first; when the atomic capacity check in
// Redis refuses it (another replica filled it meanwhile), the placer falls through to the next.
public interface IPlacementStrategy
{
    string Name { get; }

    IReadOnlyList<PlacementCandidate> Rank(IReadOnlyList<PlacementCandidate> candidates, long sequence);

    // Rank's first entry, or null when none has room. Strategies override it with one linear pass: placement
    // calls it per replica over the whole fleet, where sorting every candidate would cost O(n log n) each time.
    PlacementCandidate? Best(IReadOnlyList<PlacementCandidate> candidates, long sequence) =>
        Rank(candidates, sequence) is [var first, ..] ? first : null;
}
