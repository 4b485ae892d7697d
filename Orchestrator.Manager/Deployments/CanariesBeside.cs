using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Deployments;

// Canaries beside the old agents (issue 25, as Nomad's), for RolloutController: placing them as new agents through
// the deploy's own placement, removing them when their revision failed or was reverted, and removing one old agent
// for each once promoted. DeploymentRecord.BesideCanaries names them; every removal counts against replicas, so a
// step repeated (another replica, a restart) removes nothing twice and never goes below replicas.
public sealed class CanariesBeside(DeployService deploys, DeploymentStore store, AgentStore agents, DeploymentAgentRemover remover, AuditLog audit)
{
    // Places up to count canaries of the current revision as new agents (the deploy's placement, as the deployment's
    // tenant); stops at the first refusal (no room, a quota): the caller updates old agents in place for the rest.
    // The record is saved at once: an agent placed but named by no deployment would be nobody's to remove.
    public async Task<List<string>> PlaceAsync(DeploymentRecord record, int count, long now)
    {
        var caller = new CallerScope("rollout", "system", record.Tenant is { } t ? new HashSet<string>(StringComparer.Ordinal) { t } : null);
        var placed = new List<(string AgentId, string Tenant)>();
        for (var i = 0; i < count; i++)
        {
            if ((await deploys.PlaceMoreAsync(record, 1, caller)).Placed is not { } done) break;
            placed.AddRange(done.Agents.Select(a => (a.AgentId, a.OrchestratorId)));
        }
        if (placed.Count == 0) return [];
        var ids = placed.Select(p => p.AgentId).ToList();
        var revision = record.Revision;
        void Join(DeploymentRecord r)
        {
            r.AgentIds.AddRange(ids.Where(id => !r.AgentIds.Contains(id)));
            r.BesideCanaries.AddRange(ids.Where(id => !r.BesideCanaries.Contains(id)));
            r.CanaryRevision = revision;
            foreach (var id in ids) r.Progress[id] = new AgentProgress { UpdatedAt = now };
            r.LastProgressAt = now;
        }
        Join(record);
        // Lost the race with an operator's change (pause, revert, delete): join them to the latest record instead;
        // this step's own save then fails on the version and changes nothing else. Deleted meanwhile: they go too.
        if (!await store.TrySaveAsync(record) && await store.ChangeAsync(record.Id, r => { Join(r); return true; }) is null)
            foreach (var agent in await agents.GetManyAsync(ids)) await remover.RemoveAsync(agent, "canary of a deployment deleted while it was placed");
        foreach (var (agentId, tenant) in placed)
            await audit.RecordAsync("rollout", "system", tenant, AuditActions.Deploy, agentId, AuditOutcomes.Success,
                detail: $"canary of deployment {record.Id} revision {revision}, beside the old agents");
        return ids;
    }

    // Removes the canaries beside the old agents (a failed or reverted revision), never going below replicas (should a
    // promote have removed old agents in a step that raced the revert, the canaries left stay and are updated back).
    public async Task<List<string>> RetireAsync(DeploymentRecord record, IReadOnlyList<RolloutController.AgentSeen> seen, string why)
    {
        var removed = new List<string>();
        var count = seen.Count;
        foreach (var s in seen.Where(s => record.BesideCanaries.Contains(s.Agent.Id)))
        {
            if (count <= record.Replicas) break;
            await remover.RemoveAsync(s.Agent, why);
            removed.Add(s.Agent.Id);
            count--;
        }
        record.BesideCanaries.Clear();
        return removed;
    }

    // Promoted: one agent of an older revision goes for each canary beside them, back to replicas. Those not serving
    // go first (on a lost node, then failed); one an operator stopped last (its data would go with it).
    public async Task<List<string>> ReplaceOldAsync(DeploymentRecord record, IReadOnlyList<RolloutController.AgentSeen> seen)
    {
        var surplus = Math.Min(record.BesideCanaries.Count, seen.Count - record.Replicas);
        var old = seen.Where(s => s.Revision != record.Revision && !record.BesideCanaries.Contains(s.Agent.Id))
            .OrderByDescending(s => s.Lost).ThenBy(s => s.StoppedByOperator).ThenBy(s => s.Running).ThenBy(s => s.Agent.Id, StringComparer.Ordinal)
            .Take(Math.Max(0, surplus)).ToList();
        foreach (var s in old)
            await remover.RemoveAsync(s.Agent, $"replaced by a promoted canary of deployment {record.Id} revision {record.Revision}");
        record.BesideCanaries.Clear();
        return old.Select(s => s.Agent.Id).ToList();
    }

    // "; 1 canary beside the old agents (3 + 1 agents until promote)" while there are canaries beside them.
    public static string Describe(DeploymentRecord record) => record.BesideCanaries.Count is var n and > 0
        ? $"; {n} {(n == 1 ? "canary" : "canaries")} beside the old agents ({record.Replicas} + {n} agents until promote)" : "";
}
