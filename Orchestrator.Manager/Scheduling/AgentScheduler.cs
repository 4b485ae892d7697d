using System.Diagnostics;
using System.Text.Json;
using Orchestrator.Manager.Agents;

namespace Orchestrator.Manager.Scheduling;

// Plans from the shared fleet snapshot (PlacementCandidates), then places through AgentPlacer, whose scripts
// check capacity atomically per container. A container that refuses (another replica filled it, it went away)
// is skipped and the deploy planned again; a refusal the snapshot cannot explain (nothing supports, matches or
// has room) is only answered after a read that started after the deploy did, so a container registered a
// moment earlier is always seen.
public sealed class AgentScheduler(
    PlacementCandidates fleet, AgentPlacer placer, AgentStore agents, SchedulingTelemetry telemetry, TenantQuotaCheck quotas)
{
    private const int MaxAttempts = 8;

    // After this many refusals, plan from a fresh read instead of the snapshot this replica already knows is stale.
    private const int AttemptsBeforeFreshRead = 3;

    public async Task<DeployOutcome> DeployAsync(DeployCommand command)
    {
        using var activity = SchedulingTelemetry.Source.StartActivity("schedule agents");
        activity?.SetTag("agent.type", command.AgentType);
        activity?.SetTag("deployment.strategy", command.Strategy.Name);
        activity?.SetTag("deployment.replicas", command.Replicas);
        var started = Stopwatch.GetTimestamp();
        var begun = fleet.Mark();

        DeployOutcome? outcome = null;
        var shortage = new Shortage();
        var snapshot = await fleet.GetAsync();
        for (var attempt = 1; attempt <= MaxAttempts && outcome is not DeployOutcome.Placed; attempt++)
        {
            outcome = await TryOnceAsync(command, snapshot, activity, shortage);
            if (outcome is null)
            {
                activity?.AddEvent(new ActivityEvent("placement raced another deploy; planning again"));
                if (attempt >= AttemptsBeforeFreshRead) snapshot = await fleet.GetAsync(readAfter: fleet.Mark());
            }
            else if (outcome is not DeployOutcome.Placed)
            {
                if (snapshot.Order > begun) break;
                snapshot = await fleet.GetAsync(readAfter: begun);
            }
        }
        outcome ??= shortage.Resource is { } resource
            ? new DeployOutcome.NoResources(resource, command.Demand, command.Replicas)
            : new DeployOutcome.NoCapacity(command.Replicas, 0);
        telemetry.Deployed(command, outcome, Stopwatch.GetElapsedTime(started));
        activity?.SetTag("deployment.outcome", outcome.GetType().Name);
        return outcome;
    }

    public static string NewDeploymentId() => "dep-" + Guid.NewGuid().ToString("N")[..16];

    // The last resource a container was short of for this deploy (its own snapshot's or a commit's refusal).
    private sealed class Shortage
    {
        public string? Resource { get; set; }
    }

    // Null when a chosen container refused the placement: it is skipped in this snapshot, plan again.
    private async Task<DeployOutcome?> TryOnceAsync(DeployCommand command, PlacementCandidates.Snapshot snapshot, Activity? activity,
        Shortage shortage)
    {
        var supported = false;
        var matched = false;
        var candidates = new List<PlacementCandidate>();
        foreach (var container in snapshot.Containers)
        {
            // A scoped operator's deploy sees only its tenants' containers (issue 13).
            if (!CandidateFilter.Visible(container, command)) continue;
            if (!CandidateFilter.Supports(container, command.RequiredCapabilities)) continue;
            supported = true;
            if (!CandidateFilter.Matches(container, command)) continue;
            matched = true;
            if (!container.IsHealthy || !container.Eligible || container.Refused) continue;
            // Container agents' resources: a container without room for one more replica is no candidate.
            if (container.ShortOf(command.Demand) is { } short_)
            {
                shortage.Resource = short_;
                continue;
            }
            candidates.Add(container.ToCandidate());
        }
        if (!supported)
            return new DeployOutcome.Unsupported(command.RequiredCapabilities.First(cap =>
                !snapshot.Containers.Any(c => CandidateFilter.Visible(c, command) && c.Capabilities.Contains(cap))));
        if (!matched)
            return new DeployOutcome.NoMatch(command.OrchestratorId is null
                ? "No container offering the required capabilities matches the requested labels."
                : $"No container offering the required capabilities has orchestrator_id '{command.OrchestratorId}'.");

        // Round robin's place in the shared rotation; for the others, a salt that spreads ties (PlacementCandidate.Shuffle).
        var sequence = command.Strategy is RoundRobinStrategy ? await agents.NextSequenceAsync() : Random.Shared.NextInt64();
        var plan = PlacementPlanner.Plan(command.Strategy, candidates, command.Replicas, sequence);
        if (plan.Count < command.Replicas)
            return shortage.Resource is { } resource ? new DeployOutcome.NoResources(resource, command.Demand, command.Replicas)
                : new DeployOutcome.NoCapacity(command.Replicas, candidates.Sum(c => Math.Max(0, c.MaxAgents - c.Assigned)));

        // A tenant with a max_agents quota: its lease is held from the check until the placement is written.
        await using var admission = await quotas.AdmitAsync(snapshot.Containers.Select(c => (c.OrchestratorId, c.ToCandidate().Assigned)),
            plan.Select(containerId => snapshot.ById[containerId].OrchestratorId),
            async () => (await fleet.GetAsync(readAfter: fleet.Mark())).Containers.Select(c => (c.OrchestratorId, c.Assigned)));
        if (admission.Refusal is { } refusal) return refusal;

        var deploymentId = command.DeploymentId ?? NewDeploymentId();
        var traceparent = activity?.Id;
        var constraints = AgentConstraints.From(command);
        var placement = new AgentPlacement(deploymentId, command.AgentType, command.ConfigJson, command.Policy,
            command.LeaseSeconds, traceparent, constraints.ToJson());
        var config = JsonDocument.Parse(command.ConfigJson).RootElement;
        var replicas = plan.Select(containerId =>
        {
            var agentId = "agt-" + Guid.NewGuid().ToString("N")[..16];
            var assignment = new Assignment(agentId, command.AgentType, config, 1, command.Policy, command.LeaseSeconds, traceparent,
                command.Signature, DeploymentId: deploymentId, Revision: command.Revision);
            var orchestratorId = snapshot.ById[containerId].OrchestratorId;
            return new PlannedReplica(containerId, agentId, orchestratorId,
                JsonSerializer.Serialize(assignment, ProtocolJsonContext.Default.Assignment), constraints.TenantOn(orchestratorId));
        }).ToList();

        // Counted in the snapshot before placing, not after: deploys planning meanwhile on this replica then see
        // these replicas in flight and choose other containers instead of racing for the same last slots.
        var shares = replicas.GroupBy(r => r.ContainerId).Select(g => (Container: snapshot.ById[g.Key], Count: g.Count())).ToList();
        foreach (var (container, count) in shares) container.Took(count, command.Demand);
        AgentPlacer.Result? result = null;
        try
        {
            result = await placer.PlaceAsync(placement, replicas, command.RequiredCapabilities, command.Demand);
        }
        finally
        {
            // Refused or failed: these replicas are not in flight after all.
            if (result?.Outcome != PlaceOutcome.Placed)
                foreach (var (container, count) in shares) container.Took(-count, command.Demand);
        }
        if (result.Outcome != PlaceOutcome.Placed)
        {
            if (result.ContainerId is { } refused && snapshot.ById.TryGetValue(refused, out var full)) full.Refuse();
            if (result.Outcome is PlaceOutcome.ContainerNoCpus) shortage.Resource = "cpus";
            if (result.Outcome is PlaceOutcome.ContainerNoMemory) shortage.Resource = "memory_mb";
            return null;
        }
        fleet.Placed(snapshot, shares.Select(s => (s.Container.ContainerId, s.Count)));

        activity?.SetTag("deployment.id", deploymentId);
        return new DeployOutcome.Placed(new DeployResponse(deploymentId, command.AgentType, command.Strategy.Name, command.Policy,
            replicas.Select(r => new PlacedAgent(r.AgentId, r.ContainerId, r.OrchestratorId, AgentStates.Assigned, 1)).ToList()));
    }
}
