using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Scheduling;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Deployments;

// What the deployments API does (issue 25): create (a deploy that also records the deployment), change its spec,
// replicas or strategy, pause, resume, promote, revert, delete. Another tenant's deployment is answered as unknown.
// Every change is audited and sent to the event stream; the rollout itself is RolloutMonitor's.
public sealed partial class DeploymentOperations(
    DeployService deploys, DeploymentStore store, RolloutController controller, AgentStore agents, DeploymentAgentRemover remover, AuditLog audit,
    EventLog events, IOptions<SchedulingOptions> scheduling, TimeProvider time)
{
    public async Task<DeployResult> CreateAsync(CreateDeploymentRequest request, ClaimsPrincipal user, CallerScope caller)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name)) errors["name"] = ["name is required."];
        else if (!NamePattern().IsMatch(request.Name)) errors["name"] = ["name must be 1-100 characters of letters, digits, '.', '_' or '-'."];
        if (request.Spec is null) errors["spec"] = ["spec is required: agent_type, agent_config and version."];
        else CheckSpec(request.Spec, errors);
        Strategy.Check(request.Update, errors);
        var tenant = request.Tenant ?? (caller.Tenants is { Count: 1 } one ? one.First() : null);
        if (tenant is not null && request.Constraints?.OrchestratorId is { ValueKind: JsonValueKind.String or JsonValueKind.Number } pinned
            && ContainerViewExtensions.JsonIdentifier(pinned) != tenant)
            errors["tenant"] = ["tenant contradicts constraints.orchestrator_id."];
        if (errors.Count > 0) return new DeployResult.Invalid(errors);

        var constraints = tenant is null ? request.Constraints
            : new DeployConstraints(request.Constraints?.Capabilities, JsonSerializer.SerializeToElement(tenant), request.Constraints?.Labels);
        var deploy = new DeployRequest(request.Spec!.AgentType, request.Spec.AgentConfig, null, request.Replicas, constraints, request.OnClusterLoss,
            request.Signature);
        var draft = new DeploymentDraft(AgentScheduler.NewDeploymentId(), request.Name!, tenant, request.Spec.Version, Strategy.Resolve(request.Update));
        return SpecFields(await deploys.DeployAsync(deploy, null, user, caller, draft))!;
    }

    public async Task<DeploymentRecord?> FindAsync(string id, CallerScope caller) =>
        await store.GetAsync(id) is { } record && caller.Sees(record.Tenant) ? record : null;

    public async Task<IReadOnlyList<DeploymentView>> ListAsync(CallerScope caller)
    {
        var views = new List<DeploymentView>();
        foreach (var record in await store.ListAsync())
            if (caller.Sees(record.Tenant)) views.Add(await ViewAsync(record));
        return views;
    }

    public async Task<DeploymentView> ViewAsync(DeploymentRecord record)
    {
        var seen = await controller.ObserveAsync(record);
        var counts = seen.Select(s => s.Revision).Append(record.Revision).Distinct().Order().Select(revision =>
        {
            var of = seen.Where(s => s.Revision == revision).ToList();
            var healthy = revision == record.Revision ? of.Count(s => RolloutController.Healthy(record, s)) : of.Count(s => s.Running);
            return new RevisionCounts(revision, revision == record.Revision ? record.Replicas : 0, of.Count, healthy, of.Count(s => s.Unhealthy));
        }).ToList();
        return new DeploymentView(record.Id, record.Name, record.Tenant, record.State, record.Revision, record.StableRevision, record.Replicas,
            record.Current.Spec, record.Update, record.AwaitingPromotion, record.Description, counts,
            DateTimeOffset.FromUnixTimeMilliseconds(record.CreatedAt), DateTimeOffset.FromUnixTimeMilliseconds(record.UpdatedAt));
    }

    public static RevisionListResponse Revisions(DeploymentRecord record) => new(record.Id, record.Revisions
        .Select(r => new RevisionView(r.Revision, r.Spec, r.Healthy, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt))).ToList());

    public abstract record Change
    {
        private Change() { }

        public sealed record Done(DeploymentRecord Record) : Change;

        public sealed record NotFound : Change;

        public sealed record Invalid(Dictionary<string, string[]> Errors) : Change;

        public sealed record Conflict(string Detail) : Change;

        // Scaling up could not place the new agents (the deploy's own refusal).
        public sealed record Refused(DeployResult Result) : Change;
    }

    // PUT: a new spec makes revision N+1 and starts its rollout; replicas scale now (new agents get the current
    // revision; surplus agents go, other revisions and unhealthy ones first); update replaces the strategy.
    public async Task<Change> UpdateAsync(string id, UpdateDeploymentRequest request, CallerScope caller)
    {
        if (await FindAsync(id, caller) is not { } found) return new Change.NotFound();
        var errors = new Dictionary<string, string[]>();
        if (request.Replicas is { } replicas && (replicas < 1 || replicas > scheduling.Value.MaxReplicas))
            errors["replicas"] = [$"replicas must be between 1 and {scheduling.Value.MaxReplicas}."];
        Strategy.Check(request.Update, errors);
        var newSpec = request.Spec is { } spec && !RolloutController.SameSpec(spec, found.Current.Spec) ? spec : null;
        if (newSpec is not null)
        {
            CheckSpec(newSpec, errors);
            if (errors.Count == 0)
            {
                var check = new DeployRequest(newSpec.AgentType, newSpec.AgentConfig, found.DeploymentStrategy, 1, found.Constraints, found.OnClusterLoss,
                    request.Signature);
                var (_, refusal) = await deploys.CheckAsync(check, caller);
                if (SpecFields(refusal) is DeployResult.Invalid invalid) foreach (var (k, v) in invalid.Errors) errors[k] = v;
                else if (refusal is not null) return new Change.Refused(refusal);
            }
        }
        if (errors.Count > 0) return new Change.Invalid(errors);
        if (newSpec is not null && found.State is DeploymentStates.Running or DeploymentStates.Paused && found.Revision != found.StableRevision)
            return new Change.Conflict($"Deployment '{id}' is still rolling out revision {found.Revision} ({found.State}); wait for it to end, " +
                "pause and revert it, or let it fail before sending a new spec.");

        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var record = await store.ChangeAsync(id, r =>
        {
            if (request.Update is not null) r.Update = Strategy.Resolve(request.Update, r.Update);
            if (newSpec is not null)
            {
                var next = r.Revisions.Max(x => x.Revision) + 1;
                r.Revisions.Add(new StoredRevision { Revision = next, Spec = newSpec, Signature = request.Signature, CreatedAt = now });
                // Only the last 20 revisions are kept (the stable one always).
                r.Revisions.RemoveAll(x => x.Revision <= next - 20 && x.Revision != r.StableRevision);
                RolloutController.RollTo(r, next, now, reverting: false);
                r.Promoted = Strategy.Resolve(r.Update).Canary is not > 0;
                r.Description = $"rolling out revision {next}";
            }
            if (request.Replicas is { } n) r.Replicas = n;
            r.UpdatedAt = now;
            return true;
        });
        if (record is null) return new Change.NotFound();
        if (await ScaleAsync(record, caller) is { } refused) return refused;
        record = await store.GetAsync(id) ?? record;
        await RecordAsync(caller, AuditActions.DeploymentUpdate, record);
        return new Change.Done(record);
    }

    // Canaries beside the old agents are extra until promote or revert (DeploymentRecord.Wanted): not a surplus.
    private async Task<Change?> ScaleAsync(DeploymentRecord record, CallerScope caller)
    {
        var seen = await controller.ObserveAsync(record);
        if (seen.Count < record.Wanted)
        {
            var result = await deploys.PlaceMoreAsync(record, record.Wanted - seen.Count, caller);
            if (result.Placed is not { } placed) return new Change.Refused(SpecFields(result)!);
            await store.ChangeAsync(record.Id, r =>
            {
                r.AgentIds.AddRange(placed.Agents.Select(a => a.AgentId).Where(a => !r.AgentIds.Contains(a)));
                return true;
            });
        }
        else if (seen.Count > record.Wanted)
        {
            var surplus = seen.Where(s => !record.BesideCanaries.Contains(s.Agent.Id))
                .OrderBy(s => s.Revision == record.Revision).ThenBy(s => s.Running).ThenBy(s => s.Agent.Id, StringComparer.Ordinal)
                .Take(seen.Count - record.Wanted).ToList();
            foreach (var s in surplus) await remover.RemoveAsync(s.Agent);
            var gone = surplus.Select(s => s.Agent.Id).ToHashSet(StringComparer.Ordinal);
            await store.ChangeAsync(record.Id, r => r.AgentIds.RemoveAll(gone.Contains) > 0);
        }
        return null;
    }

    public async Task<Change> DeleteAsync(string id, CallerScope caller)
    {
        if (await FindAsync(id, caller) is not { } record) return new Change.NotFound();
        // Paused first, so the rollout driver updates nothing while its agents go. Each attempt removes the agents the
        // latest record names (canaries beside the old agents included, and one a rollout step placed meanwhile).
        record = await store.ChangeAsync(id, r => { r.State = DeploymentStates.Paused; return true; }) ?? record;
        var removed = new HashSet<string>(StringComparer.Ordinal);
        for (var attempt = 0; attempt < 20 && await store.GetAsync(id) is { } latest; attempt++)
        {
            foreach (var agent in await agents.GetManyAsync(latest.AgentIds.Where(removed.Add).ToList())) await remover.RemoveAsync(agent);
            if (await store.TryDeleteAsync(latest)) break;
        }
        record.State = "deleted";
        await RecordAsync(caller, AuditActions.DeploymentDelete, record);
        return new Change.Done(record);
    }

    public Task<Change> PauseAsync(string id, CallerScope caller) => TransitionAsync(id, caller, AuditActions.DeploymentPause, r =>
        r.State == DeploymentStates.Running ? Apply(r, DeploymentStates.Paused, "paused by an operator")
            : $"Deployment '{id}' is {r.State}; only a running rollout can be paused.");

    public Task<Change> ResumeAsync(string id, CallerScope caller) => TransitionAsync(id, caller, AuditActions.DeploymentResume, r =>
    {
        if (r.State != DeploymentStates.Paused) return $"Deployment '{id}' is {r.State}; only a paused rollout can be resumed.";
        // The health deadlines count from now: time spent paused is no agent's fault.
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var p in r.Progress.Values) p.UpdatedAt = Math.Max(p.UpdatedAt, now);
        r.LastProgressAt = now;
        return Apply(r, DeploymentStates.Running, "resumed");
    });

    public Task<Change> PromoteAsync(string id, CallerScope caller) => TransitionAsync(id, caller, AuditActions.DeploymentPromote, r =>
    {
        if (r.State is not (DeploymentStates.Running or DeploymentStates.Paused)) return $"Deployment '{id}' is {r.State}; there is nothing to promote.";
        r.Promoted = true;
        r.AwaitingPromotion = false;
        r.Description = $"revision {r.Revision} promoted";
        return null;
    });

    // A rolling restart of the current revision (POST .../restart): each agent gets its next epoch with the same spec,
    // max_parallel at a time, behind the health gate.
    public Task<Change> RestartAsync(string id, CallerScope caller, string? why = null) => TransitionAsync(id, caller, AuditActions.DeploymentRestart, r =>
    {
        RolloutController.RestartAll(r, time.GetUtcNow().ToUnixTimeMilliseconds(), why ?? $"restarting revision {r.Revision}");
        return null;
    });

    // Secret rotation (issue 26): every deployment of the tenant whose current spec references the secret restarts
    // its agents the rolling way, so each picks up the new value with its next epoch and the health gate still holds.
    // Returns the deployments restarted.
    public async Task<IReadOnlyList<string>> RestartForSecretAsync(string tenant, string secret, CallerScope caller)
    {
        var restarted = new List<string>();
        foreach (var record in await store.ListAsync())
        {
            if (record.Tenant != tenant || !References(record.Current.Spec, secret)) continue;
            if (await RestartAsync(record.Id, caller, $"restarting revision {record.Revision}: secret '{secret}' rotated") is Change.Done) restarted.Add(record.Id);
        }
        return restarted;
    }

    private static bool References(DeploymentSpec spec, string secret) =>
        Orchestrator.ServiceDefaults.SecretReferences.Read(spec.AgentConfig, out _).Names.Contains(secret, StringComparer.Ordinal)
        || (spec.AgentConfig is { ValueKind: System.Text.Json.JsonValueKind.Object } config
            && config.TryGetProperty("image_pull_secret", out var pull) && pull.ValueKind == System.Text.Json.JsonValueKind.String && pull.GetString() == secret);

    public async Task<Change> RevertAsync(string id, string? revisionText, CallerScope caller)
    {
        if (await FindAsync(id, caller) is not { } found) return new Change.NotFound();
        long? revision = null;
        if (revisionText is not null)
        {
            if (!long.TryParse(revisionText, out var n) || found.Find(n) is null)
                return new Change.Invalid(new() { ["revision"] = [$"revision must be one of this deployment's revisions ({string.Join(", ", found.Revisions.Select(r => r.Revision))})."] });
            revision = n;
        }
        return await TransitionAsync(id, caller, AuditActions.DeploymentRevert, r =>
        {
            if ((revision ?? r.StableRevision) is not { } to) return $"Deployment '{id}' has no healthy revision to revert to; name one with ?revision=N.";
            RolloutController.RollTo(r, to, time.GetUtcNow().ToUnixTimeMilliseconds(), reverting: true);
            r.Description = $"reverting to revision {to}";
            return null;
        });
    }

    // change returns null when applied, else why it cannot be (409).
    private async Task<Change> TransitionAsync(string id, CallerScope caller, string action, Func<DeploymentRecord, string?> change)
    {
        if (await FindAsync(id, caller) is null) return new Change.NotFound();
        string? refusal = null;
        var record = await store.ChangeAsync(id, r =>
        {
            refusal = change(r);
            if (refusal is null) r.UpdatedAt = time.GetUtcNow().ToUnixTimeMilliseconds();
            return refusal is null;
        });
        if (record is null) return new Change.NotFound();
        if (refusal is not null)
        {
            await audit.RecordAsync(caller, action, id, AuditOutcomes.Refused, record.Tenant ?? caller.DefaultTenant);
            return new Change.Conflict(refusal);
        }
        await RecordAsync(caller, action, record);
        return new Change.Done(record);
    }

    private static string? Apply(DeploymentRecord r, string state, string description)
    {
        r.State = state;
        r.Description = description;
        return null;
    }

    private async Task RecordAsync(CallerScope caller, string action, DeploymentRecord record)
    {
        await audit.RecordAsync(caller, action, record.Id, AuditOutcomes.Success, record.Tenant ?? caller.DefaultTenant);
        events.DeploymentChanged(record.Tenant, record.Id, record.State, record.Description);
    }

    private static void CheckSpec(DeploymentSpec spec, Dictionary<string, string[]> errors)
    {
        if (spec.Version is { Length: > 100 }) errors["spec.version"] = ["spec.version must be at most 100 characters."];
        if (string.IsNullOrWhiteSpace(spec.AgentType)) errors["spec.agent_type"] = ["spec.agent_type is required."];
    }

    // A deploy's field names, as the deployment's body names them (agent_type is spec.agent_type, ...).
    private static DeployResult? SpecFields(DeployResult? result) => result is DeployResult.Invalid invalid
        ? new DeployResult.Invalid(invalid.Errors.ToDictionary(
            e => e.Key.StartsWith("agent_type", StringComparison.Ordinal) || e.Key.StartsWith("agent_config", StringComparison.Ordinal) ? "spec." + e.Key : e.Key,
            e => e.Value.Select(m => m.StartsWith("agent_", StringComparison.Ordinal) ? "spec." + m : m).ToArray()))
        : result;

    [GeneratedRegex("^[A-Za-z0-9._-]{1,100}$")]
    private static partial Regex NamePattern();
}
