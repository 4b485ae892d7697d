using System.Text.Json;
using Orchestrator.Protocol.Signing;

namespace Orchestrator.Protocol;

// The seed's deploy body plus our optional fields. Nullable so a missing field is named in the 400.
public sealed record DeployRequest(
    string? AgentType,
    JsonElement? AgentConfig,
    string? DeploymentStrategy,
    int? Replicas = null,
    DeployConstraints? Constraints = null,
    string? OnClusterLoss = null,
    // The author's Ed25519 signature over the spec (docs/protocol.md "Signed specs"); stored and forwarded as is.
    SpecSignature? Signature = null);

// orchestrator_id is a string or (as the seed writes it) a number.
public sealed record DeployConstraints(
    IReadOnlyList<string>? Capabilities,
    JsonElement? OrchestratorId,
    IReadOnlyDictionary<string, string>? Labels);

public sealed record PlacedAgent(string AgentId, string ContainerId, string OrchestratorId, string State, long Epoch);

public sealed record DeployResponse(
    string DeploymentId, string AgentType, string DeploymentStrategy, string OnClusterLoss, IReadOnlyList<PlacedAgent> Agents);

// An agent as the manager knows it: state is `assigned` until its node reports, `unknown` while the container is lost.
public sealed record AgentView(
    string AgentId,
    string AgentType,
    JsonElement AgentConfig,
    string ContainerId,
    string OrchestratorId,
    string State,
    string? ReportedState,
    long Epoch,
    string OnClusterLoss,
    int? LeaseSeconds,
    string DeploymentId,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ReportedAt,
    DateTimeOffset? StartedAt,
    int Restarts,
    string? Error,
    // A container agent's image digest as its node resolved it (null until the node reports one).
    string? ImageDigest = null,
    // While its node reports it blocked_by_lock: how long its stop has waited for its update lock (issue 25).
    int? LockWaitedSeconds = null);

// One page of agents. next_cursor is null on the last page; pass it back as ?cursor= for the next.
public sealed record AgentListResponse(IReadOnlyList<AgentView> Agents, int Count, string? NextCursor = null);

public static class ClusterLossPolicies
{
    public const string Keep = "keep";
    public const string Reschedule = "reschedule";

    public static readonly IReadOnlySet<string> All = new HashSet<string>([Keep, Reschedule], StringComparer.Ordinal);
}
