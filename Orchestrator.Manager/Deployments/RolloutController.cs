using System.Diagnostics;
using System.Text.Json;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Deployments;

// One step of one deployment's rollout, from what Redis holds (the deployment, its agents, their reports), so a
// step may run on any replica, or again after a manager died halfway:
//   - health gate: an agent of the target revision is healthy once seen running (same epoch, no new restart) for
//     min_healthy_seconds; one that is not within healthy_deadline_seconds of its update fails the rollout, as does
//     no agent becoming healthy for progress_deadline_seconds; with auto_revert the target goes back to the stable
//     revision, else the deployment is failed;
//   - batches: agents of another revision are updated in place while fewer than max_parallel agents of the target
//     are not healthy;
//   - canaries first (issue 25, as Nomad's): up to `canary` agents of the new revision are placed as NEW agents
//     beside the old ones, through the deploy's own placement (capacity, eligibility, tenant, quotas); one that finds
//     no room is an old agent updated in place instead. Then the rollout waits for promote or auto_promote. Promoted:
//     one old agent is removed (as DELETE agents/{id} does) for each canary beside them, and the rest follow in
//     place. Failed or reverted before that: the canaries beside them are removed and the old agents were never
//     touched. DeploymentRecord.BesideCanaries holds them, so all of this survives a manager restart;
//   - agents an operator stopped (desired_state stopped) and agents on a lost node are "excused": they cannot become
//     healthy now, so they are updated in place without counting against max_parallel, the health gate or the
//     progress deadline (once promoted, never as canaries), and their healthy deadline counts from their return.
//     A stopped agent stays stopped on the new revision and starts on it; an agent on a lost node gets the new
//     revision in Redis, so its node runs it when it comes back (or the rescheduler moves it there, for
//     on_cluster_loss reschedule: it moves the assignment its container holds, the new one) instead of an old
//     revision nobody drives any more once the rollout ended;
//   - done: every agent on the target, every one not excused healthy: successful (reverted after a rollback),
//     target = stable;
//   - maintenance windows (issue 27): no batch starts while the tenant's window is closed (waiting_for_window);
//     the progress deadline does not run meanwhile, and a rollback is never held back by a window.
// Whether an agent still needs the update is its own assignment's revision, and the update is conditional on its
// epoch (AgentStore.RespecAsync), so no agent is updated twice or skipped across replicas and restarts; canaries
// beside and the old agents they replace are counted against replicas, so a repeated step removes nothing twice.
public sealed class RolloutController(
    AgentStore agents, ContainerStore containers, MaintenanceWindows windows, CanariesBeside canaries, TimeProvider time)
{
    // Excused: stopped by an operator, or on a lost node (see above). Desired: its container's entry for it (with
    // desired_state), which an update starts from.
    public sealed record AgentSeen(AgentRecord Agent, long Revision, bool Running, bool Unhealthy, bool Lost = false, bool StoppedByOperator = false,
        Assignment? Desired = null)
    {
        public bool Excused => Lost || StoppedByOperator;
    }

    // What one step did: agents updated in place, placed beside (canaries) and removed.
    public sealed record StepResult(IReadOnlyList<string> Updated, IReadOnlyList<string> Placed, IReadOnlyList<string> Removed)
    {
        public bool Acted => Updated.Count + Placed.Count + Removed.Count > 0;
    }

    // What a step saw, for the view's counts.
    public async Task<IReadOnlyList<AgentSeen>> ObserveAsync(DeploymentRecord record)
    {
        var found = await agents.GetManyAsync(record.AgentIds);
        var statuses = await containers.StatusesAsync(found.Select(a => a.ContainerId));
        var entries = await agents.DesiredEntriesAsync(found);
        return found.Select(a =>
        {
            var lost = statuses.GetValueOrDefault(a.ContainerId) is "lost" or null;
            var desired = entries.GetValueOrDefault(a.Id);
            var stopped = desired?.DesiredState == AgentStates.Stopped;
            var state = lost ? AgentStates.Unknown : a.ReportedState;
            return new AgentSeen(a, a.Revision, state == AgentStates.Running,
                !(stopped && !lost) && state is AgentStates.Failed or AgentStates.Unhealthy or AgentStates.Unknown or AgentStates.Stopped or AgentStates.Rejected,
                lost, stopped, desired);
        }).ToList();
    }

    // Changes record (the caller saves it; a step that placed canaries saved it already, see CanariesBeside.PlaceAsync).
    public async Task<StepResult> StepAsync(DeploymentRecord record, IReadOnlyList<AgentSeen> observed, Activity? activity)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var update = Strategy.Resolve(record.Update);
        var seen = observed.ToList();
        var ids = seen.Select(s => s.Agent.Id).ToHashSet(StringComparer.Ordinal);
        record.BesideCanaries.RemoveAll(id => !ids.Contains(id));
        List<string> updated = [], placed = [], removed = [];
        StepResult Result()
        {
            record.AgentIds = seen.Select(s => s.Agent.Id).Where(id => !removed.Contains(id)).Concat(placed).Distinct(StringComparer.Ordinal).ToList();
            return new(updated, placed, removed);
        }

        // Canaries of a revision the deployment no longer rolls toward (a revert) go; the old agents were never touched.
        if (record.BesideCanaries.Count > 0 && record.CanaryRevision != record.Revision)
            removed.AddRange(await canaries.RetireAsync(record, seen, $"canary of revision {record.CanaryRevision}, which was reverted"));
        // Promoted (by an operator, or auto_promote on an earlier step): one old agent goes for each canary beside them.
        else if (record.BesideCanaries.Count > 0 && record.Promoted)
            removed.AddRange(await canaries.ReplaceOldAsync(record, seen));
        seen.RemoveAll(s => removed.Contains(s.Agent.Id));

        var onTarget = seen.Where(s => s.Revision == record.Revision).ToList();
        var failedAgent = TrackHealth(record, onTarget, update, now);
        if (record.State != DeploymentStates.Running) return Result();

        var gated = seen.Count(s => !s.Excused);
        if (failedAgent is null && now - record.LastProgressAt > update.ProgressDeadlineSeconds!.Value * 1000L
            && onTarget.Count(s => Healthy(record, s)) < gated)
            failedAgent = "no agent became healthy";
        if (failedAgent is not null)
        {
            var canaryRevision = record.Revision;
            Fail(record, update, failedAgent, now);
            if (record.BesideCanaries.Count > 0)
                removed.AddRange(await canaries.RetireAsync(record, seen, $"canary of revision {canaryRevision}, which failed"));
            return Result();
        }

        var note = Note(seen);
        var outdated = seen.Where(s => s.Revision != record.Revision || AwaitsRestart(record, s)).ToList();
        var waiting = onTarget.Count(s => !s.Excused && !Healthy(record, s));
        if (outdated.Count == 0)
        {
            if (waiting == 0 && seen.Count >= record.Replicas) Succeed(record, note);
            else record.Description = $"waiting for {waiting} of {gated} agents on revision {record.Revision} to become healthy{note}";
            return Result();
        }

        var budget = update.MaxParallel!.Value - waiting;
        // More canaries than replicas would leave agents over replicas once promoted.
        var canary = Math.Min(update.Canary!.Value, record.Replicas);
        var canaryPhase = !record.Promoted && canary > 0;
        if (canaryPhase)
        {
            if (onTarget.Count >= canary)
            {
                if (waiting > 0)
                {
                    record.Description = $"waiting for {waiting} canaries of revision {record.Revision} to become healthy{CanariesBeside.Describe(record)}{note}";
                    return Result();
                }
                if (update.AutoPromote != true)
                {
                    // As Nomad's: healthy canaries wait for a person as long as it takes; the progress deadline does not run.
                    record.AwaitingPromotion = true;
                    record.LastProgressAt = now;
                    record.Description = $"{onTarget.Count} canaries of revision {record.Revision} are healthy; waiting for promote{CanariesBeside.Describe(record)}{note}";
                    return Result();
                }
                record.Promoted = true;
                canaryPhase = false;
                if (record.BesideCanaries.Count > 0)
                {
                    var beside = record.BesideCanaries.Count;
                    removed.AddRange(await canaries.ReplaceOldAsync(record, seen));
                    record.AwaitingPromotion = false;
                    record.Description = $"{beside} canaries of revision {record.Revision} promoted (auto_promote): {removed.Count} agents of older revisions removed";
                    return Result();
                }
            }
            else budget = Math.Min(budget, canary - onTarget.Count);
        }
        record.AwaitingPromotion = false;
        record.Description = $"updating: {onTarget.Count} of {seen.Count} agents on revision {record.Revision}{CanariesBeside.Describe(record)}{note}";
        // Excused agents cost no healthy agent: updated all at once, but never as canaries (they could not prove anything).
        var free = canaryPhase ? [] : outdated.Where(s => s.Excused).ToList();
        if (budget <= 0 && free.Count == 0) return Result();
        if (!record.Reverting && record.Tenant is { } tenant && !await windows.IsOpenAsync(tenant))
        {
            record.Description = $"{MaintenanceStates.WaitingForWindow}: {onTarget.Count} of {seen.Count} agents on revision {record.Revision}; the next batch waits for tenant {tenant}'s maintenance window";
            record.LastProgressAt = now;
            return Result();
        }

        budget = Math.Max(0, budget);
        if (canaryPhase && budget > 0) placed.AddRange(await canaries.PlaceAsync(record, budget, now));
        // Agents that are not running anyway go first: updating them costs no healthy agent.
        var batch = free.Concat(outdated.Where(s => !s.Excused).OrderBy(s => s.Running).ThenBy(s => s.Agent.Id, StringComparer.Ordinal)
            .Take(budget - placed.Count)).ToList();
        var target = record.Current;
        foreach (var s in batch)
        {
            if ((s.Desired ?? s.Agent.Assignment) is not { } current) continue;
            // desired_state rides along: a stopped agent gets the new revision and stays stopped (its data kept).
            var next = current with
            {
                AgentType = target.Spec.AgentType!, AgentConfig = target.Spec.AgentConfig!.Value, Epoch = s.Agent.Epoch + 1,
                Signature = target.Signature, DeploymentId = record.Id, Revision = record.Revision, Force = null,
                Traceparent = activity?.Id ?? current.Traceparent,
            };
            if (!await agents.RespecAsync(s.Agent, next)) continue;
            record.Progress[s.Agent.Id] = new AgentProgress { UpdatedAt = now, Restarts = 0, LastExcusedAt = s.Excused ? now : null };
            record.LastProgressAt = now;
            updated.Add(s.Agent.Id);
        }
        if (updated.Count + placed.Count > 0)
            record.Description = $"updating: {onTarget.Count + updated.Count + placed.Count} of {seen.Count + placed.Count} agents on revision " +
                $"{record.Revision}{CanariesBeside.Describe(record)}{note}";
        return Result();
    }

    // " (2 wait for a lost node; 1 stopped by an operator)": excused agents, which the health gate does not wait for.
    private static string Note(IReadOnlyList<AgentSeen> seen)
    {
        var lost = seen.Count(s => s.Lost);
        var stopped = seen.Count(s => s.StoppedByOperator && !s.Lost);
        var parts = new List<string>();
        if (lost > 0) parts.Add($"{lost} {(lost == 1 ? "waits" : "wait")} for a lost node");
        if (stopped > 0) parts.Add($"{stopped} stopped by an operator");
        return parts.Count == 0 ? "" : $" ({string.Join("; ", parts)})";
    }

    // On the target revision but not restarted since a rolling restart was asked for.
    private static bool AwaitsRestart(DeploymentRecord record, AgentSeen seen) =>
        record.RestartRequestedAt > 0 && record.Progress.TryGetValue(seen.Agent.Id, out var p) && p.UpdatedAt < record.RestartRequestedAt;

    // Asks for a rolling restart of the current revision: every agent there now is restarted once, in batches of
    // max_parallel behind the health gate; until then each counts as it was (healthy when it is running). Agents
    // still on an older revision get the current one (and so a new epoch) anyway.
    public static void RestartAll(DeploymentRecord record, long now, string why)
    {
        foreach (var id in record.AgentIds)
            if (!record.Progress.ContainsKey(id)) record.Progress[id] = new AgentProgress { UpdatedAt = 0, BecameHealthy = true };
        record.RestartRequestedAt = now;
        // Mid-rollout the restart rides along (canaries still wait for promote); a paused one goes on once resumed.
        if (record.Revision == record.StableRevision) record.Promoted = true;
        if (record.State != DeploymentStates.Paused) record.State = DeploymentStates.Running;
        record.LastProgressAt = now;
        record.Description = why;
    }

    public static bool Healthy(DeploymentRecord record, AgentSeen seen) =>
        seen.Revision == record.Revision && record.Progress.TryGetValue(seen.Agent.Id, out var p) && p.BecameHealthy && seen.Running;

    // Returns the first agent that missed its health deadline (a sentence), or null.
    private static string? TrackHealth(DeploymentRecord record, IReadOnlyList<AgentSeen> onTarget, UpdateStrategy update, long now)
    {
        var ids = onTarget.Select(s => s.Agent.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var gone in record.Progress.Keys.Where(id => !ids.Contains(id)).ToList()) record.Progress.Remove(gone);
        string? failed = null;
        foreach (var s in onTarget)
        {
            if (!record.Progress.TryGetValue(s.Agent.Id, out var p))
                record.Progress[s.Agent.Id] = p = new AgentProgress { UpdatedAt = now, Restarts = s.Agent.ReportedRestarts };
            if (s.Excused)
            {
                p.LastExcusedAt = now;
                p.RunningSince = null;
                p.Restarts = s.Agent.ReportedRestarts;
                continue;
            }
            if (!s.Running || s.Agent.ReportedRestarts != p.Restarts) p.RunningSince = null;
            else p.RunningSince ??= now;
            p.Restarts = s.Agent.ReportedRestarts;
            if (p.RunningSince is { } since && now - since >= update.MinHealthySeconds!.Value * 1000L && !p.BecameHealthy)
            {
                p.BecameHealthy = true;
                record.LastProgressAt = now;
            }
            if (!p.BecameHealthy && now - Math.Max(p.UpdatedAt, p.LastExcusedAt ?? 0) > update.HealthyDeadlineSeconds!.Value * 1000L && failed is null)
                failed = $"agent {s.Agent.Id} was not healthy within {update.HealthyDeadlineSeconds} s" +
                    (s.Agent.ReportedState is { } state ? $" (it is {state})" : "");
        }
        return failed;
    }

    private static void Fail(DeploymentRecord record, UpdateStrategy update, string why, long now)
    {
        var failedRevision = record.Revision;
        if (update.AutoRevert == true && record.StableRevision is { } stable && stable != failedRevision && !record.Reverting)
        {
            RollTo(record, stable, now, reverting: true);
            record.Description = $"reverting to revision {stable}: revision {failedRevision} failed ({why})";
            return;
        }
        record.State = DeploymentStates.Failed;
        record.AwaitingPromotion = false;
        record.Description = $"revision {failedRevision} failed: {why}";
    }

    private static void Succeed(DeploymentRecord record, string note)
    {
        record.State = record.Reverting ? DeploymentStates.Reverted : DeploymentStates.Successful;
        record.StableRevision = record.Revision;
        record.Current.Healthy = true;
        record.AwaitingPromotion = false;
        record.Description = record.Reverting
            ? $"reverted: every agent runs revision {record.Revision} again{note}"
            : $"every agent runs revision {record.Revision}, healthy{note}";
        record.Reverting = false;
    }

    // Points the deployment at another revision (a revert, automatic or asked for): no canaries on the way back.
    public static void RollTo(DeploymentRecord record, long revision, long now, bool reverting)
    {
        record.Revision = revision;
        record.Progress.Clear();
        record.Promoted = true;
        record.AwaitingPromotion = false;
        record.Reverting = reverting;
        record.State = DeploymentStates.Running;
        record.LastProgressAt = now;
    }

    public static bool SameSpec(DeploymentSpec a, DeploymentSpec b) =>
        a.AgentType == b.AgentType && a.Version == b.Version
        && System.Text.Json.Nodes.JsonNode.DeepEquals(ToNode(a.AgentConfig), ToNode(b.AgentConfig));

    private static System.Text.Json.Nodes.JsonNode? ToNode(JsonElement? element) =>
        element is { } e ? System.Text.Json.Nodes.JsonNode.Parse(e.GetRawText()) : null;
}
