using System.Diagnostics;
using System.Text.Json;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Redis;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Scheduling;

// Chooses containers from a fresh Redis snapshot, then places every replica in one atomic script.
// When another replica filled a container in between, the script refuses and the plan is made again.
public sealed class AgentScheduler(ContainerStore containers, AgentStore agents, SchedulingTelemetry telemetry, TenantQuotaCheck quotas, Events.EventLog events)
{
    private const int MaxAttempts = 5;

    public async Task<DeployOutcome> DeployAsync(DeployCommand command)
    {
        using var activity = SchedulingTelemetry.Source.StartActivity("schedule agents");
        activity?.SetTag("agent.type", command.AgentType);
        activity?.SetTag("deployment.strategy", command.Strategy.Name);
        activity?.SetTag("deployment.replicas", command.Replicas);
        var started = Stopwatch.GetTimestamp();

        DeployOutcome? outcome = null;
        for (var attempt = 1; attempt <= MaxAttempts && outcome is null; attempt++)
        {
            outcome = await TryOnceAsync(command, activity);
            if (outcome is null) activity?.AddEvent(new ActivityEvent("placement raced another deploy; planning again"));
        }
        outcome ??= new DeployOutcome.NoCapacity(command.Replicas, 0);
        telemetry.Deployed(command, outcome, Stopwatch.GetElapsedTime(started));
        if (outcome is DeployOutcome.Placed placed) events.Deployed(placed.Response);
        activity?.SetTag("deployment.outcome", outcome.GetType().Name);
        return outcome;
    }

    // Null when the atomic placement found a chosen container full or gone: plan again from fresh data.
    private async Task<DeployOutcome?> TryOnceAsync(DeployCommand command, Activity? activity)
    {
        // A scoped operator's deploy sees only its tenants' containers (issue 13).
        var all = TenantScope.Within(await containers.ListAsync(), command.Tenants);
        var supporting = all.Where(c => command.RequiredCapabilities.All(c.Capabilities.Contains)).ToList();
        if (supporting.Count == 0)
        {
            var missing = command.RequiredCapabilities.First(cap => !all.Any(c => c.Capabilities.Contains(cap)));
            return new DeployOutcome.Unsupported(missing);
        }
        var matching = supporting
            .Where(c => command.OrchestratorId is null || c.OrchestratorId() == command.OrchestratorId)
            .Where(c => c.HasLabels(command.Labels))
            .ToList();
        if (matching.Count == 0)
            return new DeployOutcome.NoMatch(command.OrchestratorId is null
                ? "No container offering the required capabilities matches the requested labels."
                : $"No container offering the required capabilities has orchestrator_id '{command.OrchestratorId}'.");

        var candidates = matching.Where(c => c.Status == ContainerStatus.Healthy)
            .Select(c => new PlacementCandidate(c.ContainerId, c.OrchestratorId(), c.AssignedAgents, c.MaxAgents, c.HealthScore))
            .ToList();
        var available = candidates.Sum(c => Math.Max(0, c.MaxAgents - c.Assigned));
        var sequence = command.Strategy is RoundRobinStrategy ? await agents.NextSequenceAsync() : 0;
        var plan = PlacementPlanner.Plan(command.Strategy, candidates, command.Replicas, sequence);
        if (plan.Count < command.Replicas) return new DeployOutcome.NoCapacity(command.Replicas, available);

        var byId = candidates.ToDictionary(c => c.ContainerId);
        if (await quotas.CheckAsync(all, plan.Select(choices => byId[choices[0]].OrchestratorId)) is { } overQuota) return overQuota;

        var deploymentId = "dep-" + Guid.NewGuid().ToString("N")[..16];
        var traceparent = activity?.Id;
        var constraints = AgentConstraints.From(command);
        var placement = new AgentPlacement(deploymentId, command.AgentType, command.ConfigJson, command.Policy,
            command.LeaseSeconds, traceparent, constraints.ToJson());
        var config = JsonDocument.Parse(command.ConfigJson).RootElement;
        var replicas = plan.Select(choices =>
        {
            var agentId = "agt-" + Guid.NewGuid().ToString("N")[..16];
            var assignment = new Assignment(agentId, command.AgentType, config, 1, command.Policy, command.LeaseSeconds, traceparent);
            var orchestratorId = byId[choices[0]].OrchestratorId;
            return new PlannedReplica(choices[0], agentId, orchestratorId,
                JsonSerializer.Serialize(assignment, ProtocolJsonContext.Default.Assignment), constraints.TenantOn(orchestratorId));
        }).ToList();

        if (await agents.PlaceAsync(placement, replicas) != PlaceOutcome.Placed) return null;

        activity?.SetTag("deployment.id", deploymentId);
        return new DeployOutcome.Placed(new DeployResponse(deploymentId, command.AgentType, command.Strategy.Name, command.Policy,
            replicas.Select(r => new PlacedAgent(r.AgentId, r.ContainerId, r.OrchestratorId, AgentStates.Assigned, 1)).ToList()));
    }
}
