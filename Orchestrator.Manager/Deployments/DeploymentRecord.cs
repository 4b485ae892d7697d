using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Protocol.Signing;

namespace Orchestrator.Manager.Deployments;

// One deployment as stored (RedisKeys.Deployment): what it should run, every revision it had, which agents are
// its own, and the rollout's progress, so whichever replica holds the rollout lease (now or after a restart)
// carries on from here. Times are unix ms on the manager's clock. Version is the optimistic-concurrency counter.
public sealed class DeploymentRecord
{
    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Tenant { get; set; }
    public string State { get; set; } = DeploymentStates.Running;
    // The revision the deployment rolls toward, and the last one that became healthy on every replica.
    public long Revision { get; set; } = 1;
    public long? StableRevision { get; set; }
    public int Replicas { get; set; }
    public UpdateStrategy Update { get; set; } = Strategy.Defaults;
    public string OnClusterLoss { get; set; } = "";
    public string? DeploymentStrategy { get; set; }
    public DeployConstraints? Constraints { get; set; }
    public List<StoredRevision> Revisions { get; set; } = [];
    public List<string> AgentIds { get; set; } = [];
    // Agents already on Revision, with when they got it and how their health gate goes.
    public Dictionary<string, AgentProgress> Progress { get; set; } = [];
    // Canaries of Revision were promoted (or there are none): the rest may follow.
    public bool Promoted { get; set; } = true;
    public bool AwaitingPromotion { get; set; }
    // Canaries placed beside the old agents (new agent ids, issue 25), all of CanaryRevision: while listed they are
    // extra, so the deployment has Replicas + BesideCanaries.Count agents. Promoted: one old agent goes for each;
    // failed or reverted: they go themselves. Records written before canaries went beside have none (empty, 0).
    public List<string> BesideCanaries { get; set; } = [];
    public long CanaryRevision { get; set; }
    // Rolling back (auto_revert or revert): the rollout ends as reverted instead of successful.
    public bool Reverting { get; set; }
    // A rolling restart (issue 25's restart, and issue 26's secret rotation): agents whose progress entry predates it
    // get their next epoch with the same spec, in batches behind the health gate. Unix ms; 0: none asked.
    public long RestartRequestedAt { get; set; }
    // The state to go back to on resume (paused holds a running rollout).
    public string? Description { get; set; }
    public long LastProgressAt { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }
    public long Version { get; set; }

    // How many agents the deployment has now: its replicas, plus canaries beside them until promote or revert.
    [JsonIgnore]
    public int Wanted => Replicas + BesideCanaries.Count;

    [JsonIgnore]
    public StoredRevision Current => Revisions.Single(r => r.Revision == Revision);

    public StoredRevision? Find(long revision) => Revisions.FirstOrDefault(r => r.Revision == revision);
}

public sealed class StoredRevision
{
    public long Revision { get; set; }
    public DeploymentSpec Spec { get; set; } = new(null, null);
    public SpecSignature? Signature { get; set; }
    public bool Healthy { get; set; }
    public long CreatedAt { get; set; }
}

// RunningSince: when the controller first saw it running at its current epoch and restart count (null: not running).
public sealed class AgentProgress
{
    public long UpdatedAt { get; set; }
    public long? RunningSince { get; set; }
    public int Restarts { get; set; }
    public bool BecameHealthy { get; set; }
    // Last seen stopped by an operator or on a lost node (not held to the health gate then): its healthy deadline
    // counts from here once it is back. Null: never.
    public long? LastExcusedAt { get; set; }
}

// The update block with the defaults docs/protocol.md names filled in.
public static class Strategy
{
    public static readonly UpdateStrategy Defaults = new(MaxParallel: 1, Canary: 0, MinHealthySeconds: 10, HealthyDeadlineSeconds: 300,
        ProgressDeadlineSeconds: 600, AutoRevert: false, AutoPromote: false);

    public static UpdateStrategy Resolve(UpdateStrategy? given, UpdateStrategy? current = null)
    {
        var basis = current ?? Defaults;
        return given is null ? basis : new(
            given.MaxParallel ?? basis.MaxParallel, given.Canary ?? basis.Canary, given.MinHealthySeconds ?? basis.MinHealthySeconds,
            given.HealthyDeadlineSeconds ?? basis.HealthyDeadlineSeconds, given.ProgressDeadlineSeconds ?? basis.ProgressDeadlineSeconds,
            given.AutoRevert ?? basis.AutoRevert, given.AutoPromote ?? basis.AutoPromote);
    }

    // Errors name the field under prefix ("update.").
    public static void Check(UpdateStrategy? update, Dictionary<string, string[]> errors)
    {
        if (update is null) return;
        if (update.MaxParallel is < 1 or > 1000) errors["update.max_parallel"] = ["max_parallel must be between 1 and 1000."];
        if (update.Canary is < 0 or > 1000) errors["update.canary"] = ["canary must be between 0 and 1000."];
        if (update.MinHealthySeconds is < 0 or > 3600) errors["update.min_healthy_seconds"] = ["min_healthy_seconds must be between 0 and 3600."];
        if (update.HealthyDeadlineSeconds is < 1 or > 86400)
            errors["update.healthy_deadline_seconds"] = ["healthy_deadline_seconds must be between 1 and 86400."];
        if (update.ProgressDeadlineSeconds is < 1 or > 86400)
            errors["update.progress_deadline_seconds"] = ["progress_deadline_seconds must be between 1 and 86400."];
        if (update.MinHealthySeconds is { } min && update.HealthyDeadlineSeconds is { } deadline && deadline <= min)
            errors["update.healthy_deadline_seconds"] = ["healthy_deadline_seconds must be greater than min_healthy_seconds."];
    }
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(DeploymentRecord))]
internal sealed partial class DeploymentJsonContext : JsonSerializerContext;
