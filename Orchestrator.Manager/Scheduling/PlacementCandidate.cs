namespace Orchestrator.Manager.Scheduling;

// A container that may take an agent, with the load figures strategies rank by.
// Assigned counts every agent placed on it, whatever state its orchestrator last reported.
// Shuffle: a fixed hash of the id. Strategies break the last tie by it mixed with a per-deploy salt, not by the
// id, so parallel deploys planned from one snapshot spread over equal containers instead of all racing for one.
public sealed record PlacementCandidate(
    string ContainerId,
    string OrchestratorId,
    int Assigned,
    int MaxAgents,
    double HealthScore,
    uint Shuffle = 0)
{
    // Orders equal candidates: by the salted shuffle, then (equal hashes, or tests without one) by the id.
    public static bool TieBefore(PlacementCandidate a, PlacementCandidate b, long salt)
    {
        uint x = a.SaltedShuffle(salt), y = b.SaltedShuffle(salt);
        return x != y ? x < y : string.CompareOrdinal(a.ContainerId, b.ContainerId) < 0;
    }

    public uint SaltedShuffle(long salt) => Shuffle ^ (uint)salt;

    public bool HasRoom => Assigned < MaxAgents;

    public double Load => MaxAgents <= 0 ? 1.0 : (double)Assigned / MaxAgents;

    public PlacementCandidate WithOneMore() => this with { Assigned = Assigned + 1 };
}
