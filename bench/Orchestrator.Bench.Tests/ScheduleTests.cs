using Orchestrator.Bench.Simulation;
using Orchestrator.Protocol;

namespace Orchestrator.Bench.Tests;

[Trait(TestLevel.Name, TestLevel.Unit)]
public class ScheduleTests
{
    [Fact]
    public void PhasesSpreadEvenlyOverTheInterval()
    {
        var counts = new int[10];
        foreach (var cluster in Enumerable.Range(0, 10_000).Select(i => new SimCluster(i, "t", 10, seed: 7)))
            counts[(int)(cluster.Phase * 10)]++;

        // Uniform: each tenth of the interval holds about a thousand clusters (a burst would not).
        Assert.All(counts, count => Assert.InRange(count, 850, 1150));
    }

    [Fact]
    public void PhasesAreReproducibleForASeedAndDifferAcrossSeeds()
    {
        Assert.Equal(new SimCluster(42, "a", 10, 7).Phase, new SimCluster(42, "b", 10, 7).Phase);
        Assert.NotEqual(new SimCluster(42, "a", 10, 7).Phase, new SimCluster(42, "a", 10, 8).Phase);
    }

    [Fact]
    public void ReconcileStartsWhatIsDesiredAndStopsTheRest()
    {
        var cluster = new SimCluster(1, "t", 10, 7) { ContainerId = "ctr-1" };
        cluster.Reconcile([Desired("agt-a", 1), Desired("agt-b", 1)]);

        var running = cluster.Reconcile([Desired("agt-b", 2)]);

        var only = Assert.Single(running);
        Assert.Equal(("agt-b", "running", 2L), (only.AgentId, only.State, only.Epoch));
    }

    private static Assignment Desired(string agentId, long epoch) => new(agentId, "trading_agent", default, epoch, "keep", null, null);
}
