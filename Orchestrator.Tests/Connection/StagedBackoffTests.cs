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
    [InlineData(300, 0)]   // 10 intervals: still the short schedule (what the bench's reconnects see)
    [InlineData(301, 1)]
    [InlineData(600, 1)]
    [InlineData(601, 2)]
    [InlineData(1201, 3)]
    [InlineData(2401, 4)]
    [InlineData(86400, 9)]
    public void StagesBeginAfterTenIntervalsAndDoubleInLength(int outageSeconds, int stage) =>
        Assert.Equal(stage, StagedBackoff.Stage(TimeSpan.FromSeconds(outageSeconds), Interval));

    [Fact]
    public void AShortOutageKeepsTheLoopsOwnDelayAndALongOneWaitsLongerJitteredAndCapped()
    {
        Assert.Equal(Short, StagedBackoff.For(TimeSpan.FromMinutes(4), Interval, Short, Cap, 0.7));

        // Stage 1 (past 5 minutes): about 2 intervals, jittered between half and all of it.
        Assert.Equal(TimeSpan.FromSeconds(30), StagedBackoff.For(TimeSpan.FromMinutes(6), Interval, Short, Cap, 0));
        Assert.Equal(TimeSpan.FromSeconds(60), StagedBackoff.For(TimeSpan.FromMinutes(6), Interval, Short, Cap, 1));
        // Stage 2: 4 intervals; stage 3 would be 8 (240 s), and from stage 4 the cap (5 minutes) holds.
        Assert.Equal(TimeSpan.FromSeconds(120), StagedBackoff.For(TimeSpan.FromMinutes(11), Interval, Short, Cap, 1));
        Assert.Equal(TimeSpan.FromSeconds(240), StagedBackoff.For(TimeSpan.FromMinutes(21), Interval, Short, Cap, 1));
        Assert.Equal(Cap, StagedBackoff.For(TimeSpan.FromHours(1), Interval, Short, Cap, 1));
        Assert.Equal(Cap, StagedBackoff.For(TimeSpan.FromDays(3), Interval, Short, Cap, 1));

        // Jitter spreads a fleet that failed together over [half, all] of the stage, never below the short delay.
        var waits = Enumerable.Range(0, 11).Select(i => StagedBackoff.For(TimeSpan.FromHours(1), Interval, Short, Cap, i / 10.0)).ToList();
        Assert.All(waits, w => Assert.InRange(w, Cap / 2, Cap));
        Assert.Equal(11, waits.Distinct().Count());
    }
}
