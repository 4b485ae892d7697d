using Orchestrator.Agent.Connection;

namespace Orchestrator.Tests.Connection;

// The node's wait between attempts while the manager is unreachable: unchanged for a short outage, in doubling
// stages past 10 intervals, jittered, and capped.
[Trait(TestLevel.Name, TestLevel.Unit)]
public class StagedBackoffTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Cap = TimeSpan.FromMinutes(5);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(300, 0)]   // 10 intervals: still the short schedule
    [InlineData(301, 1)]
    [InlineData(600, 1)]
    [InlineData(601, 2)]
    [InlineData(1201, 3)]
    [InlineData(2401, 4)]
    [InlineData(86400, 9)]
    public void StagesBeginAfterTenIntervalsAndDoubleInLength(int outageSeconds, int stage) =>
        Assert.Equal(stage, StagedBackoff.Stage(TimeSpan.FromSeconds(outageSeconds), Interval));

    [Fact]
    public void TheHeartbeatLoopKeepsItsOwnDelayInAShortOutageAndWaitsLongerJitteredAndCappedInALongOne()
    {
        TimeSpan Heartbeat(TimeSpan outage, double random) => StagedBackoff.For(outage, Interval, Short, Interval, Cap, random);

        Assert.Equal(Short, Heartbeat(TimeSpan.FromMinutes(4), 0.7));
        // Stage 1 (past 5 minutes): 2 intervals, jittered between half and all of it.
        Assert.Equal(TimeSpan.FromSeconds(30), Heartbeat(TimeSpan.FromMinutes(6), 0));
        Assert.Equal(TimeSpan.FromSeconds(60), Heartbeat(TimeSpan.FromMinutes(6), 1));
        // Stage 2: 4 intervals; stage 3: 8 (240 s); from stage 4 the cap (5 minutes) holds.
        Assert.Equal(TimeSpan.FromSeconds(120), Heartbeat(TimeSpan.FromMinutes(11), 1));
        Assert.Equal(TimeSpan.FromSeconds(240), Heartbeat(TimeSpan.FromMinutes(21), 1));
        Assert.Equal(Cap, Heartbeat(TimeSpan.FromHours(1), 1));
        Assert.Equal(Cap, Heartbeat(TimeSpan.FromDays(3), 1));

        // Jitter spreads a fleet that failed together over [half, all] of the stage.
        var waits = Enumerable.Range(0, 11).Select(i => Heartbeat(TimeSpan.FromHours(1), i / 10.0)).ToList();
        Assert.All(waits, w => Assert.InRange(w, Cap / 2, Cap));
        Assert.Equal(11, waits.Distinct().Count());
    }

    [Fact]
    public void TheLongPollProbeStagesFromItsShortCapAndNeverWaitsMoreThanOneInterval()
    {
        var probeCap = TimeSpan.FromSeconds(5);
        TimeSpan Probe(TimeSpan outage) => StagedBackoff.For(outage, Interval, probeCap, probeCap, Interval, 1);

        Assert.Equal(probeCap, Probe(TimeSpan.FromMinutes(5)));
        Assert.Equal(TimeSpan.FromSeconds(10), Probe(TimeSpan.FromMinutes(6)));
        Assert.Equal(TimeSpan.FromSeconds(20), Probe(TimeSpan.FromMinutes(11)));
        Assert.Equal(Interval, Probe(TimeSpan.FromMinutes(21)));
        Assert.Equal(Interval, Probe(TimeSpan.FromDays(1)));
        // The failure tests' 1 s interval: the probe's cap is already the interval, so staging changes nothing there.
        Assert.Equal(TimeSpan.FromSeconds(1), StagedBackoff.For(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(1),
            TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 1));
    }
}
