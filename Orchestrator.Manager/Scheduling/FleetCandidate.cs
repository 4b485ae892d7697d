using System.Text.Json;

namespace Orchestrator.Manager.Scheduling;

// One container as placement sees it in a fleet snapshot: what Redis held when the snapshot was read, plus
// what this replica placed on it since (so back-to-back deploys within one snapshot spread instead of piling
// onto one container) and whether a commit refused it (skipped until the next read).
public sealed class FleetCandidate
{
    private int _placedSince;
    private long _cpuSince;
    private long _memorySince;
    private int _refused;

    public required string ContainerId { get; init; }
    public required string Name { get; init; }
    public required string Status { get; init; }
    // False while cordoned: placement skips it (the Reserve/Commit scripts refuse it too, for plans made before the cordon).
    public bool Eligible { get; init; } = true;
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
    // Capacity by resources (issue 24): what the node registered (cpu_count x 1000, memory_limit in MB) and
    // what its container agents hold, plus what this replica placed since the read.
    public long CpuMillisTotal { get; init; }
    public long MemoryMbTotal { get; init; }
    public long CpuMillisReserved { get; init; }
    public long MemoryMbReserved { get; init; }
    public string RawResources { get; init; } = "";

    public bool Refused => Volatile.Read(ref _refused) != 0;

    public bool IsHealthy => Status == ContainerStatus.Healthy;

    public void Took(int agents, ContainerAgentConfig.Demand demand = default)
    {
        Interlocked.Add(ref _placedSince, agents);
        if (demand.CpuMillis > 0) Interlocked.Add(ref _cpuSince, demand.CpuMillis * agents);
        if (demand.MemoryMb > 0) Interlocked.Add(ref _memorySince, demand.MemoryMb * agents);
    }

    // The resource one more agent asking for demand would not fit ("cpus" or "memory_mb"), or null when it fits.
    public string? ShortOf(ContainerAgentConfig.Demand demand) =>
        demand.CpuMillis > 0 && CpuMillisReserved + Volatile.Read(ref _cpuSince) + demand.CpuMillis > CpuMillisTotal ? "cpus"
        : demand.MemoryMb > 0 && MemoryMbReserved + Volatile.Read(ref _memorySince) + demand.MemoryMb > MemoryMbTotal ? "memory_mb"
        : null;

    public void Refuse() => Volatile.Write(ref _refused, 1);

    // A fixed hash of the id (string hashes are stable within a process), for strategies' last tie-break.
    // Computed on first use and kept; never 0, which marks "not yet" (a benign race computes it twice).
    private uint _shuffle;

    private uint Shuffle => _shuffle != 0 ? _shuffle : _shuffle = (uint)ContainerId.GetHashCode() | 1;

    public PlacementCandidate ToCandidate() =>
        new(ContainerId, OrchestratorId, Assigned + Volatile.Read(ref _placedSince), MaxAgents, HealthScore, Shuffle);
}
