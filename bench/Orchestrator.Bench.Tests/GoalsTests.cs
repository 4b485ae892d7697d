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

        Assert.Equal("not at goal size", goals.Single(g => g.Goal.Contains("100,000 registered", StringComparison.Ordinal)).Verdict);
    }

    [Theory]
    [InlineData(900, 150, "met")]
    [InlineData(1100, 150, "not met")]
    [InlineData(900, 250, "not met")]
    public void TheFleetGoalNeedsBothMemoryAndStatusLatency(double rssMiB, double statusP99, string verdict)
    {
        var goals = Goals.Judge(null, new FleetResult(30, [Step(100_000, rssMiB, statusP99)]), null, null);

        Assert.Equal(verdict, goals.Single(g => g.Goal.Contains("100,000 registered", StringComparison.Ordinal)).Verdict);
    }

    [Fact]
    public void AManagerThatCouldNotTakeTheWholeFleetMissesTheGoal()
    {
        var step = Step(100_000, rssMiB: 500, statusP99: 50) with { Clusters = 60_000 };

        var goal = Goals.Judge(null, new FleetResult(30, [step]), null, null).Single(g => g.Goal.Contains("100,000 registered", StringComparison.Ordinal));

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

    [Theory]
    [InlineData(100_000, 150, 120, "met")]
    [InlineData(100_000, 250, 120, "not met")]
    [InlineData(100_000, 150, 250, "not met")]
    [InlineData(40_000, 10, 10, "not at goal size")]
    public void TheAgentReadsGoalNeedsBothReadsFastAtAHundredThousandAgents(int agents, double listP99, double distributionP99, string verdict)
    {
        ReadResult Read(string path, double p99) => new(path, LatencySummary.Empty with { Count = 1, P99Ms = p99 }, NoErrors, 100, FirstMs: 0);
        var reads = new AgentReadsResult(agents, 1, NoErrors, Read("/agents", listP99), Read("/distribution", distributionP99));
        var deploy = DeployResult.Unmeasured(Registered, "") with { Measured = true, Reads = reads };

        var goal = Goals.Judge(null, null, deploy, null).Single(g => g.Goal.StartsWith("GET /cluster/agents", StringComparison.Ordinal));

        Assert.Equal(verdict, goal.Verdict);
    }

    [Theory]
    [InlineData(14.0, 0, "met")]
    [InlineData(16.0, 0, "not met")]
    [InlineData(10.0, 3, "not met")]
    [InlineData(-1, 0, "not met")]
    public void TheRestartGoalCountsFromTheNewManagerBeingHealthy(double fromReady, long status5xx, string verdict)
    {
        var errors = NoErrors with { Status5xx = status5xx };
        var result = new ReconnectResult(10_000, 30, true, Registered, 10_000, 1, 9, fromReady < 0 ? 9_000 : 10_000,
            fromReady < 0 ? -1 : fromReady + 9, fromReady, LatencySummary.Empty, errors, NoErrors, NoErrors, NoErrors, []);

        var goal = Goals.Judge(null, null, null, result).Single(g => g.Goal.Contains("restart", StringComparison.Ordinal));

        Assert.Equal(verdict, goal.Verdict);
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
            new ReadResult("/status", latency, NoErrors, 100, FirstMs: 0), new ReadResult("/containers", latency, NoErrors, 100, FirstMs: 0), clusters);
    }
}
