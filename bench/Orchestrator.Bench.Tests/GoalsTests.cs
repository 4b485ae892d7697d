using Orchestrator.Bench.Measurement;
using Orchestrator.Bench.Reporting;
using Orchestrator.Bench.Scenarios;
using Orchestrator.Bench.Simulation;

namespace Orchestrator.Bench.Tests;

[Trait(TestLevel.Name, TestLevel.Unit)]
public class GoalsTests
{
    private static readonly OutcomeSummary NoErrors = new OutcomeCounts().Summarize();
    private static readonly RegistrationResult Registered = new(1, 1, 1, LatencySummary.Empty, NoErrors);

    [Fact]
    public void AFleetSmallerThanTheGoalIsNotJudged()
    {
        var goals = Goals.Judge(null, new FleetResult(30, [Step(5_000, rssMiB: 100, statusP99: 10)]), null, null);

        Assert.Equal("not at goal size", goals.Single(g => g.Goal.StartsWith("100,000", StringComparison.Ordinal)).Verdict);
    }

    [Theory]
    [InlineData(900, 150, "met")]
    [InlineData(1100, 150, "not met")]
    [InlineData(900, 250, "not met")]
    public void TheFleetGoalNeedsBothMemoryAndStatusLatency(double rssMiB, double statusP99, string verdict)
    {
        var goals = Goals.Judge(null, new FleetResult(30, [Step(100_000, rssMiB, statusP99)]), null, null);

        Assert.Equal(verdict, goals.Single(g => g.Goal.StartsWith("100,000", StringComparison.Ordinal)).Verdict);
    }

    [Fact]
    public void AManagerThatCouldNotTakeTheWholeFleetMissesTheGoal()
    {
        var step = Step(100_000, rssMiB: 500, statusP99: 50) with { Clusters = 60_000 };

        var goal = Goals.Judge(null, new FleetResult(30, [step]), null, null).Single(g => g.Goal.StartsWith("100,000", StringComparison.Ordinal));

        Assert.Equal("not met", goal.Verdict);
        Assert.Contains("60,000 of 100,000", goal.Measured);
    }

    [Fact]
    public void AnUnimplementedDeployIsReportedUnmeasured()
    {
        var goals = Goals.Judge(null, null, DeployResult.Unmeasured(Registered, "answered 404"), null);

        var deploy = goals.Single(g => g.Goal.Contains("placements", StringComparison.Ordinal));
        Assert.Equal(("unmeasured", "answered 404"), (deploy.Verdict, deploy.Measured));
    }

    [Fact]
    public void LatencySummaryIsInMilliseconds()
    {
        var recorder = new LatencyRecorder();
        foreach (var ms in Enumerable.Range(1, 100)) recorder.RecordElapsed(TimeSpan.FromMilliseconds(ms));

        var summary = recorder.Summarize();

        Assert.Equal(100, summary.Count);
        Assert.InRange(summary.P50Ms, 49.9, 50.1);
        Assert.InRange(summary.P99Ms, 98.9, 99.1);
    }

    private static FleetStep Step(int clusters, double rssMiB, double statusP99)
    {
        var latency = LatencySummary.Empty with { Count = 1, P99Ms = statusP99 };
        var window = new HeartbeatWindowResult(1, 1, 1, LatencySummary.Empty, LatencySummary.Empty, NoErrors, 0, 0);
        return new FleetStep(clusters, clusters, Registered, window, new CpuShare(0, 0, 0), rssMiB, 1, 1,
            new ReadResult("/status", latency, NoErrors, 100), new ReadResult("/containers", latency, NoErrors, 100), clusters);
    }
}
