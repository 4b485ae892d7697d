using System.Text.Json.Nodes;
using Orchestrator.Protocol;
using Orchestrator.Validation.Http;

namespace Orchestrator.Validation.Phases;

// "Independent operation while coordinated": each orchestrator runs its agent itself. The agent's own
// figures advance on the local API without restarts, the node keeps its desired state in DATA_DIR, and,
// where a manager outage is available (the test suite kills the manager with -9), the agents keep running
// through the outage and everything reconnects once the manager is back.
public sealed class OrchestratorAutonomyPhase : IValidationPhase
{
    // Fast ticks so progress shows within a second or two.
    private static readonly JsonObject FastTicks = new() { ["tick_interval_ms"] = 200 };

    public string Name => "orchestrator_autonomy";

    public async Task RunAsync(PhaseContext context, PhaseReport report, CancellationToken ct)
    {
        var identities = await context.IdentifyOrchestratorsAsync(ct);
        var deployed = new List<PinnedAgents.Deployed>();
        try
        {
            await PinnedAgents.DeployAsync(context, report, identities, FastTicks, deployed, ct);
            var baseline = new Dictionary<PinnedAgents.Deployed, NodeAgent>();
            foreach (var agent in deployed) baseline[agent] = await PinnedAgents.WaitRunningAsync(context, agent, ct);
            foreach (var agent in deployed) await DesiredStateFile.CheckAsync(context, report, agent, ct);

            if (context.Outage is not { } outage)
            {
                await KeepsWorkingAsync(context, report, baseline, "while coordinated", ct);
                report.Note("no manager outage was staged (a live deployment's manager is not ours to stop); the test suite kills it with -9");
                return;
            }
            await ThroughOutageAsync(context, report, outage, baseline, ct);
        }
        finally
        {
            await PinnedAgents.RemoveAsync(context, report, deployed);
        }
    }

    private static async Task ThroughOutageAsync(PhaseContext context, PhaseReport report, IManagerOutage outage,
        Dictionary<PinnedAgents.Deployed, NodeAgent> baseline, CancellationToken ct)
    {
        var heard = (await context.Manager.CommunicationAsync(ct)).ToDictionary(c => c.ContainerId, c => c.HeartbeatsReceived);
        await outage.StopManagerAsync(ct);
        try
        {
            report.Check(await AnswersAsync(context.Manager.HealthAsync, ct) is false, $"{context.Manager.Url("/health")} still answers after the manager was stopped");
            foreach (var agent in baseline.Keys)
                await context.WaitForAsync($"{agent.Orchestrator.Target.Label}: /health to notice the manager is gone", async token =>
                {
                    var health = await agent.Local.HealthAsync(token);
                    return (health.Status != "healthy" ? health : null, OrchestratorIdentity.Describe(health));
                }, ct);
            await KeepsWorkingAsync(context, report, baseline, "with the manager down", ct);
        }
        finally
        {
            // Whatever failed above, the manager comes back: the cleanup and the next phases need it.
            using var restart = new CancellationTokenSource(PinnedAgents.CleanupTimeout);
            await outage.StartManagerAsync(restart.Token);
        }
        await context.WaitForAsync("the manager to answer /health again", async token =>
        {
            var health = await context.Manager.HealthAsync(token);
            return (health.Status == "healthy" ? health : null, health.Status);
        }, ct);
        foreach (var (agent, before) in baseline) await ManagerReconnection.CheckAsync(context, report, agent, before, heard, ct);
        await KeepsWorkingAsync(context, report, baseline, "after the manager came back", ct);
    }

    // Each agent does its own work (figures advance) in the same run: no restart, same started_at.
    private static async Task KeepsWorkingAsync(PhaseContext context, PhaseReport report,
        Dictionary<PinnedAgents.Deployed, NodeAgent> baseline, string when, CancellationToken ct)
    {
        foreach (var (agent, first) in baseline)
        {
            var label = agent.Orchestrator.Target.Label;
            var start = await agent.Local.AgentAsync(agent.AgentId, ct)
                ?? throw new ValidationFailure($"{label}: agent {agent.AgentId} vanished from the local API {when}");
            var later = await context.WaitForAsync($"{label}: agent {agent.AgentId} to make progress {when}", async token =>
            {
                var now = await agent.Local.AgentAsync(agent.AgentId, token);
                return (now is not null && (AgentProgress.Advanced(start, now) || !AgentProgress.SameRun(first, now)) ? now : null,
                    now is null ? "not on the local API" : AgentProgress.Describe(now));
            }, ct);
            report.Check(AgentProgress.SameRun(first, later),
                $"{label}: agent {agent.AgentId} did not keep its run {when}: was {AgentProgress.Describe(first)}, now {AgentProgress.Describe(later)}");
            report.Note($"{label}: {agent.AgentId} kept running {when}: {AgentProgress.Progress(start, later)}");
        }
    }

    private static async Task<bool> AnswersAsync(Func<CancellationToken, Task<HealthResponse>> call, CancellationToken ct)
    {
        try
        {
            await call(ct);
            return true;
        }
        catch (ValidationFailure)
        {
            return false;
        }
    }
}
