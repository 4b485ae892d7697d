using System.Text.Json;
using Orchestrator.Protocol.Signing;

namespace Orchestrator.Protocol;

// Deployments (issue 25): a named set of replicas of one agent spec, with revisions and a rolling update strategy.
// Fields are nullable so a missing one is named in the 400.

// What every replica of one revision runs. version is the vendor's label for it (shown, never interpreted).
public sealed record DeploymentSpec(string? AgentType, JsonElement? AgentConfig, string? Version = null);

// How a new revision replaces the old one (Nomad's update block). Omitted fields take the defaults in docs/protocol.md.
public sealed record UpdateStrategy(
    int? MaxParallel = null,
    int? Canary = null,
    int? MinHealthySeconds = null,
    int? HealthyDeadlineSeconds = null,
    int? ProgressDeadlineSeconds = null,
    bool? AutoRevert = null,
    bool? AutoPromote = null);

// tenant: the orchestrator_id the replicas are placed on (a scoped operator names one of its own; null: the admin's "anywhere").
public sealed record CreateDeploymentRequest(
    string? Name,
    string? Tenant,
    int? Replicas,
    DeploymentSpec? Spec,
    DeployConstraints? Constraints = null,
    string? OnClusterLoss = null,
    UpdateStrategy? Update = null,
    SpecSignature? Signature = null);

// PUT /api/v1/deployments/{id}: a spec that differs from the current revision's makes a new revision (rolled out by
// the update strategy); replicas scale; update replaces the strategy. Omitted fields stay as they are.
public sealed record UpdateDeploymentRequest(
    int? Replicas = null,
    DeploymentSpec? Spec = null,
    UpdateStrategy? Update = null,
    SpecSignature? Signature = null);

// One revision's agents: desired (what the rollout aims at), placed (agents on it), healthy (running for min_healthy_seconds)
// and unhealthy (placed, reported, and not running).
public sealed record RevisionCounts(long Revision, int Desired, int Placed, int Healthy, int Unhealthy);

// state: running (rolling out or converging), paused, failed, successful, reverted (DeploymentStates).
// revision: the revision the deployment rolls toward; stable_revision: the last one that became healthy.
// awaiting_promotion: canaries of revision are healthy and the rest waits for promote.
public sealed record DeploymentView(
    string DeploymentId,
    string Name,
    string? Tenant,
    string State,
    long Revision,
    long? StableRevision,
    int Replicas,
    DeploymentSpec Spec,
    UpdateStrategy Update,
    bool AwaitingPromotion,
    string? Description,
    IReadOnlyList<RevisionCounts> Revisions,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record DeploymentListResponse(IReadOnlyList<DeploymentView> Deployments, int Count);

// One revision as stored: its spec, when it was made, and whether it ever became healthy.
public sealed record RevisionView(long Revision, DeploymentSpec Spec, bool Healthy, DateTimeOffset CreatedAt);

public sealed record RevisionListResponse(string DeploymentId, IReadOnlyList<RevisionView> Revisions);

// POST /api/v1/cluster/agents/{id}/restart: force overrides the agent's update lock for this start only.
public sealed record RestartAgentRequest(bool? Force = null);

public sealed record RestartAgentResponse(string AgentId, long Epoch, bool Force);

public static class DeploymentStates
{
    public const string Running = "running";
    public const string Paused = "paused";
    public const string Failed = "failed";
    public const string Successful = "successful";
    public const string Reverted = "reverted";

    public static readonly IReadOnlySet<string> All = new HashSet<string>([Running, Paused, Failed, Successful, Reverted], StringComparer.Ordinal);

    // A rollout ends in one of these; the CLI's --wait stops there.
    public static bool IsFinal(string state) => state is Failed or Successful or Reverted;
}
