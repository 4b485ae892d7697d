using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Agents;

// Places one planned deploy with one script per container, so it works when the containers live in different
// Redis Cluster slots, and still never pushes a container past max_agents:
//   1. reserve capacity on each container (only when the deploy spans several: one container needs no hold);
//   2. write the agents' hashes;
//   3. commit each container's share into its desired set (checked again if its reservation is gone);
//   4. add the agents to the agents index.
// Any refusal undoes what was done: committed shares are removed, reservations released, written hashes deleted.
// A manager that dies in between leaves reservations that expire after Scheduling:ReservationTimeout.
public sealed class AgentPlacer(AgentStore agents, IOptions<SchedulingOptions> options, ILogger<AgentPlacer> logger)
{
    public sealed record Result(PlaceOutcome Outcome, string? ContainerId);

    public async Task<Result> PlaceAsync(AgentPlacement placement, IReadOnlyList<PlannedReplica> replicas, IReadOnlyList<string> required,
        ContainerAgentConfig.Demand demand = default)
    {
        var shares = replicas.GroupBy(r => r.ContainerId, StringComparer.Ordinal).Select(g => (Container: g.Key, Replicas: g.ToList())).ToList();
        var reservation = shares.Count > 1 ? placement.DeploymentId : "";
        var held = new List<string>();
        var committed = new List<PlannedReplica>();
        var written = false;
        try
        {
            if (shares.Count > 1)
            {
                var requiredJson = JsonSerializer.Serialize(required, ProtocolJsonContext.Default.IReadOnlyListString);
                var timeout = options.Value.ReservationTimeout;
                var reserved = await Task.WhenAll(shares.Select(async s =>
                    (s.Container, Outcome: await agents.ReserveAsync(s.Container, reservation, s.Replicas.Count, requiredJson, timeout, demand))));
                held.AddRange(reserved.Where(r => r.Outcome == PlaceOutcome.Placed).Select(r => r.Container));
                if (reserved.FirstOrDefault(r => r.Outcome != PlaceOutcome.Placed) is { Container: not null } refused)
                {
                    await UndoAsync(held, reservation, committed, replicas, written: false);
                    return new Result(refused.Outcome, refused.Container);
                }
            }

            await agents.WriteAgentsAsync(placement, replicas);
            written = true;
            var outcomes = await Task.WhenAll(shares.Select(async s =>
                (s.Container, s.Replicas, Outcome: await agents.CommitAsync(s.Container, reservation, s.Replicas, required))));
            foreach (var share in outcomes.Where(o => o.Outcome == PlaceOutcome.Placed))
            {
                committed.AddRange(share.Replicas);
                held.Remove(share.Container);
            }
            if (outcomes.FirstOrDefault(o => o.Outcome != PlaceOutcome.Placed) is { Container: not null } failed)
            {
                await UndoAsync(held, reservation, committed, replicas, written);
                return new Result(failed.Outcome, failed.Container);
            }
            await agents.IndexAsync(replicas.Select(r => r.AgentId).ToList());
            return new Result(PlaceOutcome.Placed, null);
        }
        catch
        {
            // Redis failed halfway: undo what can be undone now; reservations expire regardless.
            try { await UndoAsync(held, reservation, committed, replicas, written); }
            catch (Exception undo) { logger.LogWarning(undo, "Could not undo a failed placement of deployment {DeploymentId}", placement.DeploymentId); }
            throw;
        }
    }

    private async Task UndoAsync(IReadOnlyList<string> held, string reservation, IReadOnlyList<PlannedReplica> committed,
        IReadOnlyList<PlannedReplica> all, bool written)
    {
        await Task.WhenAll(held.Select(c => agents.ReleaseAsync(c, reservation)));
        foreach (var replica in committed) await agents.RemoveAsync(replica.AgentId);
        if (written) await agents.DiscardAsync(all.Select(r => r.AgentId).ToList());
    }
}
