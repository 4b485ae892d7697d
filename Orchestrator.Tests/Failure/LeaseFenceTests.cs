using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Agent.Connection;
using Orchestrator.Agent.Fencing;
using Orchestrator.Agent.Runtime;
using Orchestrator.Agent.Workloads;
using Orchestrator.Protocol;
using Orchestrator.Tests.Agent;

namespace Orchestrator.Tests.Failure;

// The fencing rule alone, on a fake clock: lease from the last accepted call's send time, release only on
// the manager's confirmation of the same epoch after contact.
[Trait(TestLevel.Name, TestLevel.Unit)]
public sealed class LeaseFenceTests
{
    private static readonly AgentDefinition Movable = new("agt-move", "trading_agent", null, Epoch: 3, OnClusterLoss: "reschedule", LeaseSeconds: 2);
    private static readonly AgentDefinition Kept = new("agt-keep", "trading_agent", null);

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly ConnectionState _connection = new();
    private readonly LeaseFence _fence;

    public LeaseFenceTests() =>
        _fence = new LeaseFence(_connection, _time, new FencingTelemetry(RuntimeHarness.Meters), NullLogger<LeaseFence>.Instance);

    [Fact]
    public void RescheduleAgentsAreHeldUntilTheManagerConfirmsThemAndKeepAgentsNeverAre()
    {
        Assert.Equal([Movable.AgentId], _fence.Decide([Movable, Kept]).Keys);
        _connection.Registered("ctr-1", null, _time.GetUtcNow());
        Assert.Contains(Movable.AgentId, _fence.Decide([Movable, Kept]).Keys);

        _fence.Confirm([Movable]);
        Assert.Empty(_fence.Decide([Movable, Kept]));
    }

    [Fact]
    public void ALapsedLeaseFencesTheAgentAndOnlyAFreshConfirmationOfTheSameEpochReleasesIt()
    {
        _connection.Registered("ctr-1", null, _time.GetUtcNow());
        _fence.Confirm([Movable]);
        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.Empty(_fence.Decide([Movable]));

        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.True(_fence.WouldChange([Movable]));
        Assert.StartsWith("fenced: no contact", _fence.Decide([Movable])[Movable.AgentId]);

        // Contact again (the heartbeat was sent 100 ms ago), but no long-poll answer yet: still held.
        _connection.HeartbeatAccepted(null, _time.GetUtcNow(), TimeSpan.FromMilliseconds(100));
        Assert.StartsWith("fenced: waiting", _fence.Decide([Movable])[Movable.AgentId]);
        _fence.Confirm([Movable with { Epoch = 4 }]);
        Assert.Contains(Movable.AgentId, _fence.Decide([Movable]).Keys);
        _fence.Confirm([Movable]);
        Assert.Empty(_fence.Decide([Movable]));
    }

    [Fact]
    public void TheLeaseRunsFromWhenTheHeartbeatWasSentNotWhenItsAnswerArrived()
    {
        _connection.Registered("ctr-1", null, _time.GetUtcNow());
        _fence.Confirm([Movable]);
        _time.Advance(TimeSpan.FromSeconds(1));
        _connection.HeartbeatAccepted(null, _time.GetUtcNow(), roundTrip: TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1) + TimeSpan.FromMilliseconds(1));
        Assert.Contains(Movable.AgentId, _fence.Decide([Movable]).Keys);
    }
}
