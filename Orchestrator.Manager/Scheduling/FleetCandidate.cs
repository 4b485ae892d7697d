using System.Text.Json;

namespace Orchestrator.Manager.Scheduling;

// One container as placement sees it in a fleet snapshot: what Redis held when the snapshot was read, plus
// what this replica placed on it since (so back-to-back deploys within one snapshot spread instead of piling
// onto one container) and whether a commit refused it (skipped until the next read).
public sealed class FleetCandidate
{
    private int _placedSince;
    private int _refused;

    public required string ContainerId { get; init; }
    public required string Name { get; init; }
    public required string Status { get; init; }
    public required int Assigned { get; init; }
    // Agents its node last reported running (distribution only; placement counts Assigned).
    public required int Running { get; init; }
    public required int MaxAgents { get; init; }
    public required double HealthScore { get; init; }
    public required IReadOnlySet<string> Capabilities { get; init; }
    // The container's metadata object (labels, orchestrator_id), parsed once per change.
    public required JsonElement Metadata { get; init; }
    public required string OrchestratorId { get; init; }
    // The raw fields parsed above, so the next read reuses the parse when they did not change.
    public required string RawCapabilities { get; init; }
    public required string RawMetadata { get; init; }

    public bool Refused => Volatile.Read(ref _refused) != 0;

    public bool IsHealthy => Status == ContainerStatus.Healthy;

    public void Took(int agents) => Interlocked.Add(ref _placedSince, agents);

    public void Refuse() => Volatile.Write(ref _refused, 1);

    // A fixed hash of the id (string hashes are stable within a process), for strategies' last tie-break.
    // Computed on first use and kept; never 0, which marks "not yet" (a benign race computes it twice).
    private uint _shuffle;

    private uint Shuffle => _shuffle != 0 ? _shuffle : _shuffle = (uint)ContainerId.GetHashCode() | 1;

    public PlacementCandidate ToCandidate() =>
        new(ContainerId, OrchestratorId, Assigned + Volatile.Read(ref _placedSince), MaxAgents, HealthScore, Shuffle);
}
