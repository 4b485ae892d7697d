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
//     are not healthy (canaries first: up to `canary`, then wait for promote or auto_promote);
//   - done: every agent on the target, healthy: successful (reverted after a rollback), target = stable;
//   - maintenance windows (issue 27): no batch starts while the tenant's window is closed (waiting_for_window);
//     the progress deadline does not run meanwhile, and a rollback is never held back by a window.
// Whether an agent still needs the update is its own assignment's revision, and the update is conditional on its
// epoch (AgentStore.RespecAsync), so no agent is updated twice or skipped across replicas and restarts.
public sealed class RolloutController(AgentStore agents, ContainerStore containers, MaintenanceWindows windows, TimeProvider time)
{
    public sealed record AgentSeen(AgentRecord Agent, long Revision, bool Running, bool Unhealthy);

    // What a step saw, for the view's counts.
    public async Task<IReadOnlyList<AgentSeen>> ObserveAsync(DeploymentRecord record)
    {
        var found = await agents.GetManyAsync(record.AgentIds);
        var statuses = await containers.StatusesAsync(found.Select(a => a.ContainerId));
        return found.Select(a =>
        {
            var lost = statuses.GetValueOrDefault(a.ContainerId) is "lost" or null;
            var state = lost ? AgentStates.Unknown : a.ReportedState;
            return new AgentSeen(a, a.Revision, state == AgentStates.Running,
                state is AgentStates.Failed or AgentStates.Unhealthy or AgentStates.Unknown or AgentStates.Stopped or AgentStates.Rejected);
        }).ToList();
    }

    // Changes record (the caller saves it); returns the agents it updated in place this step.
    public async Task<IReadOnlyList<string>> StepAsync(DeploymentRecord record, IReadOnlyList<AgentSeen> seen, Activity? activity)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var update = Strategy.Resolve(record.Update);
        record.AgentIds = seen.Select(s => s.Agent.Id).ToList();
        var onTarget = seen.Where(s => s.Revision == record.Revision).ToList();
        var failedAgent = TrackHealth(record, onTarget, update, now);
        if (record.State != DeploymentStates.Running) return [];

        if (failedAgent is null && now - record.LastProgressAt > update.ProgressDeadlineSeconds!.Value * 1000L
            && onTarget.Count(s => Healthy(record, s)) < seen.Count)
            failedAgent = "no agent became healthy";
        if (failedAgent is not null)
        {
            Fail(record, update, failedAgent, now);
            return [];
        }

        var outdated = seen.Where(s => s.Revision != record.Revision).ToList();
        var waiting = onTarget.Count(s => !Healthy(record, s));
        if (outdated.Count == 0)
        {
            if (waiting == 0 && seen.Count >= record.Replicas) Succeed(record);
            else record.Description = $"waiting for {waiting} of {seen.Count} agents on revision {record.Revision} to become healthy";
            return [];
        }

        var budget = update.MaxParallel!.Value - waiting;
        var canary = update.Canary!.Value;
        if (!record.Promoted && canary > 0)
        {
            if (onTarget.Count >= canary)
            {
                if (waiting > 0)
                {
                    record.Description = $"waiting for {waiting} canaries of revision {record.Revision} to become healthy";
                    return [];
                }
                if (update.AutoPromote == true) record.Promoted = true;
                else
                {
                    record.AwaitingPromotion = true;
                    record.Description = $"{onTarget.Count} canaries of revision {record.Revision} are healthy; waiting for promote";
                    return [];
                }
            }
            else budget = Math.Min(budget, canary - onTarget.Count);
        }
        record.AwaitingPromotion = false;
        record.Description = $"updating: {onTarget.Count} of {seen.Count} agents on revision {record.Revision}";
        if (budget <= 0) return [];
        if (!record.Reverting && record.Tenant is { } tenant && !await windows.IsOpenAsync(tenant))
        {
            record.Description = $"{MaintenanceStates.WaitingForWindow}: {onTarget.Count} of {seen.Count} agents on revision {record.Revision}; the next batch waits for tenant {tenant}'s maintenance window";
            record.LastProgressAt = now;
            return [];
        }

        // Agents that are not running anyway go first: updating them costs no healthy agent.
        var batch = outdated.OrderBy(s => s.Running).ThenBy(s => s.Agent.Id, StringComparer.Ordinal).Take(budget).ToList();
        var target = record.Current;
        var updated = new List<string>();
        foreach (var s in batch)
        {
            if (s.Agent.Assignment is not { } current) continue;
            var next = current with
            {
                AgentType = target.Spec.AgentType!, AgentConfig = target.Spec.AgentConfig!.Value, Epoch = s.Agent.Epoch + 1,
                Signature = target.Signature, DeploymentId = record.Id, Revision = record.Revision, Force = null,
                Traceparent = activity?.Id ?? current.Traceparent,
            };
            if (!await agents.RespecAsync(s.Agent, next)) continue;
            record.Progress[s.Agent.Id] = new AgentProgress { UpdatedAt = now, Restarts = 0 };
            record.LastProgressAt = now;
            updated.Add(s.Agent.Id);
        }
        if (updated.Count > 0) record.Description = $"updating: {onTarget.Count + updated.Count} of {seen.Count} agents on revision {record.Revision}";
        return updated;
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
            if (!s.Running || s.Agent.ReportedRestarts != p.Restarts) p.RunningSince = null;
            else p.RunningSince ??= now;
            p.Restarts = s.Agent.ReportedRestarts;
            if (p.RunningSince is { } since && now - since >= update.MinHealthySeconds!.Value * 1000L && !p.BecameHealthy)
            {
                p.BecameHealthy = true;
                record.LastProgressAt = now;
            }
            if (!p.BecameHealthy && now - p.UpdatedAt > update.HealthyDeadlineSeconds!.Value * 1000L && failed is null)
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

    private static void Succeed(DeploymentRecord record)
    {
        record.State = record.Reverting ? DeploymentStates.Reverted : DeploymentStates.Successful;
        record.StableRevision = record.Revision;
        record.Current.Healthy = true;
        record.AwaitingPromotion = false;
        record.Description = record.Reverting
            ? $"reverted: every agent runs revision {record.Revision} again"
            : $"every agent runs revision {record.Revision}, healthy";
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
