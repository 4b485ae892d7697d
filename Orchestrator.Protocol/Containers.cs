using System.Text.Json;

namespace Orchestrator.Protocol;

// A node registers its container; the same container_name again updates it under the same id.
// Fields are nullable so a missing one is reported by name instead of defaulting silently.
public sealed record RegisterContainerRequest(
    string? ContainerName,
    string? HostAddress,
    int? ApiPort,
    IReadOnlyList<string>? Capabilities,
    [property: WireShape(typeof(ContainerResources))] JsonElement? Resources,
    [property: WireShape(typeof(ContainerMetadata))] JsonElement? Metadata,
    int? MaxAgents = null,
    // issue 27: the node's build and the protocol it speaks (optional; NodeProtocol).
    string? NodeVersion = null,
    int? ProtocolVersion = null);

// What Orchestrator.Agent registers as resources and metadata (seed clients may send other objects).
public sealed record ContainerResources(int CpuCount, long MemoryLimit);

public sealed record ContainerMetadata(string OrchestratorId, string? AgentId, string? AgentType);

public sealed record RegisterContainerResponse(string ContainerId, string ContainerName, string Status, int HeartbeatInterval);

public sealed record ContainerView(
    string ContainerId,
    string ContainerName,
    string HostAddress,
    int ApiPort,
    IReadOnlyList<string> Capabilities,
    [property: WireShape(typeof(ContainerResources))] JsonElement Resources,
    [property: WireShape(typeof(ContainerMetadata))] JsonElement Metadata,
    string Status,
    DateTimeOffset RegisteredAt,
    DateTimeOffset LastHeartbeat,
    double HealthScore,
    int ActiveAgents,
    int MaxAgents,
    [property: WireShape(typeof(HeartbeatResources))] JsonElement? Usage,
    int AssignedAgents = 0,
    string Eligibility = ContainerEligibility.Eligible,
    string? EligibilityReason = null,
    // The container's drain (issue 27), while it runs and once it completed; null: never drained.
    DrainProgress? Drain = null,
    // issue 27: what the node last registered with (null: it sent none).
    string? NodeVersion = null,
    int? ProtocolVersion = null);

// POST .../containers/{id}/drain. deadline_seconds (1..86400, default 3600): until then update locks are honoured,
// after it stops go ahead (force). max_parallel (1..100, default 1): agents stopped and moved at once. force: move
// keep and tenant-pinned agents too, and do not wait for update locks.
public sealed record DrainRequest(int? DeadlineSeconds = null, int? MaxParallel = null, bool? Force = null);

// state: draining | complete. moving: the agents stopped by the drain and not yet started elsewhere; remaining: its
// agents the drain still has to move (moving included); blocked: of those, how many hold their update lock now.
// waiting_for_window: the tenant's maintenance window is closed, so no further agent is stopped until it opens.
// waiting_for_capacity: how many of its agents have nowhere to go now (no healthy, eligible container that fits
// them has a free slot); they keep running here (or, stopped by the drain, wait stopped) until a pass finds room.
public sealed record DrainProgress(
    string State, DateTimeOffset StartedAt, DateTimeOffset Deadline, int MaxParallel, bool Force, int Moved, int Remaining,
    int Blocked, IReadOnlyList<string> Moving, DateTimeOffset? CompletedAt = null, bool WaitingForWindow = false,
    int WaitingForCapacity = 0);

public static class DrainStates
{
    public const string Draining = "draining";
    public const string Complete = "complete";
}

// POST .../agents/{id}/stop and /start; the body is optional.
public sealed record AgentLifecycleRequest(bool? Force = null);

// Cordon (PUT .../containers/{id}/eligibility): ineligible takes the container out of placement; what it runs stays.
public sealed record SetEligibilityRequest(string? Eligibility, string? Reason);

public static class ContainerEligibility
{
    public const string Eligible = "eligible";
    public const string Ineligible = "ineligible";

    public static readonly IReadOnlyList<string> All = [Eligible, Ineligible];
}

// One page of containers. next_cursor is null on the last page; pass it back as ?cursor= for the next.
public sealed record ContainerListResponse(IReadOnlyList<ContainerView> Containers, int Count, string? NextCursor = null);

// healthy -> unhealthy after 2 missed intervals -> lost after 3; healthy again on the next heartbeat.
public static class ContainerStatus
{
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
    public const string Lost = "lost";
    // An admin revoked its credential: it can no longer act, and its agents are handled as if it were lost.
    public const string Revoked = "revoked";

    public static readonly IReadOnlyList<string> All = [Healthy, Unhealthy, Lost, Revoked];
}
