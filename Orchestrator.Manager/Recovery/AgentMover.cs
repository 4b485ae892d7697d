using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Recovery;

// Moves one reschedule agent to another container with its next assignment (epoch + 1), in the one-slot
// steps RescheduleScripts describes: reserve on the target, take it off the lost container (recorded in its
// Outgoing hash), commit on the target, point the agent's hash there, drop the Outgoing entry.
public sealed class AgentMover(IConnectionMultiplexer redis, AgentStore agents, TimeProvider time, IOptions<SchedulingOptions> scheduling,
    ILogger<AgentMover> logger, FleetChanges? changes = null)
{
    public enum Outcome { Moved, Changed, NotLost, Unavailable, Full, NotStopped }

    // drain: moving off a live, draining container (issue 27): only once its node stopped it (MoveOutArgs.Drain); it
    // starts on the target unless an operator had stopped it (keepStopped).
    public async Task<Outcome> MoveAsync(Assignment assignment, string from, string to, string toOrchestrator, string? traceparent,
        bool drain = false, bool keepStopped = false)
    {
        var next = assignment with { Epoch = assignment.Epoch + 1, Traceparent = traceparent ?? assignment.Traceparent };
        if (drain) next = next with { DesiredState = keepStopped ? assignment.DesiredState : null, Force = null };
        var reservation = "move:" + assignment.AgentId;
        var held = await agents.ReserveAsync(to, reservation, 1, "[]", scheduling.Value.ReservationTimeout);
        if (held != PlaceOutcome.Placed) return held == PlaceOutcome.ContainerFull ? Outcome.Full : Outcome.Unavailable;

        var move = new OutgoingMove(to, toOrchestrator, JsonSerializer.Serialize(next, ProtocolJsonContext.Default.Assignment));
        var result = (string?)await RescheduleScripts.MoveOut.EvaluateAsync(redis.GetDatabase(), new RescheduleScripts.MoveOutArgs(
            From: RedisKeys.Container(from), FromDesired: RedisKeys.DesiredAgents(from), FromReports: RedisKeys.Reports(from),
            FromOutgoing: RedisKeys.Outgoing(from), AgentId: assignment.AgentId, ExpectedEpoch: assignment.Epoch,
            Next: PackedArguments.Pack(move, PackedArgumentsJsonContext.Default.OutgoingMove), FromChannel: RedisKeys.ContainerChanged(from).ToString(),
            Drain: drain ? "1" : ""));
        changes?.Wrote();
        if (result != "ok")
        {
            await agents.ReleaseAsync(to, reservation);
            return result switch { "not_lost" => Outcome.NotLost, "not_stopped" => Outcome.NotStopped, _ => Outcome.Changed };
        }
        return await FinishAsync(from, assignment.AgentId, move, reservation) ? Outcome.Moved : Outcome.Full;
    }

    // Moves a lost container's Outgoing entries left by a manager that died halfway through a move. Returns how many
    // it finished; an entry whose target has no room any more stays for the next pass.
    public async Task<int> FinishLeftoversAsync(string from)
    {
        var finished = 0;
        foreach (var entry in await redis.GetDatabase().HashGetAllAsync(RedisKeys.Outgoing(from)))
        {
            if (JsonSerializer.Deserialize(entry.Value.ToString(), PackedArgumentsJsonContext.Default.OutgoingMove) is not { } move) continue;
            if (await FinishAsync(from, entry.Name.ToString(), move, reservation: "")) finished++;
            else logger.LogWarning("Agent {AgentId} left halfway through its move to {To}, which has no room now; retried next pass",
                entry.Name.ToString(), move.To);
        }
        return finished;
    }

    // Steps 3 and 4; each is safe to repeat. False when the target refused the commit (only possible without a
    // live reservation: the Outgoing entry stays, and a later pass tries again).
    private async Task<bool> FinishAsync(string from, string agentId, OutgoingMove move, string reservation)
    {
        var next = JsonSerializer.Deserialize(move.Assignment, ProtocolJsonContext.Default.Assignment)!;
        var committed = await agents.CommitAsync(move.To, reservation, [new PlannedReplica(move.To, agentId, move.Orchestrator, move.Assignment)], []);
        if (committed != PlaceOutcome.Placed) return false;
        var pointed = (string?)await RescheduleScripts.Point.EvaluateAsync(redis.GetDatabase(), new RescheduleScripts.PointArgs(
            Agent: RedisKeys.Agent(agentId), ToId: move.To, ToOrchestrator: move.Orchestrator, Epoch: next.Epoch, Assignment: move.Assignment,
            Now: time.GetUtcNow().ToUnixTimeMilliseconds()));
        // Removed while it moved: take it off the target again, where nothing would ever stop it.
        if (pointed == "gone") await agents.RemoveFromContainerAsync(move.To, agentId);
        await redis.GetDatabase().HashDeleteAsync(RedisKeys.Outgoing(from), agentId);
        return true;
    }
}
