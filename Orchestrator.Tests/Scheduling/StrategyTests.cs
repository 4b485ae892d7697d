using Orchestrator.Manager.Scheduling;

namespace Orchestrator.Tests.Scheduling;

[Trait(TestLevel.Name, TestLevel.Unit)]
public class StrategyTests
{
    private static PlacementCandidate C(string id, int assigned, int max = 10, double health = 90, string orchestrator = "1") =>
        new(id, orchestrator, assigned, max, health);

    private static string First(IPlacementStrategy strategy, params PlacementCandidate[] candidates) =>
        strategy.Rank(candidates, 0)[0].ContainerId;

    [Fact]
    public void LeastLoadedPicksTheLowestShareOfMaxAgents()
    {
        // b has more agents but a bigger budget: 3/10 beats 2/4.
        Assert.Equal("b", First(LoadStrategy.LeastLoaded, C("a", 2, max: 4), C("b", 3, max: 10)));
    }

    [Fact]
    public void LeastLoadedBreaksTiesByHealthScore()
    {
        Assert.Equal("b", First(LoadStrategy.LeastLoaded, C("a", 1, health: 60), C("b", 1, health: 95)));
    }

    [Fact]
    public void NoStrategyOffersAFullContainer()
    {
        foreach (var strategy in PlacementStrategies.All.Values)
        {
            var ranked = strategy.Rank([C("full", 10, max: 10), C("free", 9, max: 10)], 0);
            Assert.Equal(["free"], ranked.Select(c => c.ContainerId));
        }
    }

    [Fact]
    public void RoundRobinRotatesWithTheSharedSequence()
    {
        var strategy = new RoundRobinStrategy();
        PlacementCandidate[] candidates = [C("c", 0), C("a", 5), C("b", 9)];
        var firsts = Enumerable.Range(0, 4).Select(i => strategy.Rank(candidates, i)[0].ContainerId);
        Assert.Equal(["a", "b", "c", "a"], firsts);
    }

    [Fact]
    public void BinPackFillsTheBusiestContainerWithRoom()
    {
        Assert.Equal("b", First(LoadStrategy.BinPack, C("a", 1), C("b", 7), C("c", 10)));
    }

    [Fact]
    public void SpreadPrefersTheOrchestratorWithFewestAgents()
    {
        // Orchestrator 1 runs 4 agents over two containers; orchestrator 2 runs 3 on one busier container.
        var first = First(new SpreadStrategy(),
            C("a", 2, orchestrator: "1"), C("b", 2, orchestrator: "1"), C("c", 3, orchestrator: "2"));
        Assert.Equal("c", first);
    }

    [Fact]
    public void PlannerSpreadsReplicasAsTheStrategyIntends()
    {
        var plan = PlacementPlanner.Plan(LoadStrategy.LeastLoaded, [C("a", 0, max: 3), C("b", 0, max: 3)], 6, 0);
        Assert.Equal(6, plan.Count);
        Assert.Equal(3, plan.Count(p => p == "a"));
        Assert.Equal(3, plan.Count(p => p == "b"));
    }

    [Fact]
    public void PlannerStopsWhenCapacityRunsOut()
    {
        var plan = PlacementPlanner.Plan(LoadStrategy.BinPack, [C("a", 1, max: 2), C("b", 0, max: 1)], 5, 0);
        Assert.Equal(2, plan.Count);
    }

    [Theory]
    [InlineData(null, "least_loaded")]
    [InlineData("", "least_loaded")]
    [InlineData("spread", "spread")]
    public void UnnamedStrategyDefaultsToLeastLoaded(string? name, string expected)
    {
        Assert.True(PlacementStrategies.TryGet(name, out var strategy));
        Assert.Equal(expected, strategy.Name);
    }

    [Fact]
    public void UnknownStrategyIsNotFound()
    {
        Assert.False(PlacementStrategies.TryGet("fastest", out _));
    }
}
