namespace Orchestrator.Tests.Foundation;

// `scripts/test.sh --fast` selects tests by their Level trait: a class without one would silently never
// run there, and one with two would run in the wrong set.
[Trait(TestLevel.Name, TestLevel.Unit)]
public class TestLevelTests
{
    [Fact]
    public void EveryTestClassHasExactlyOneKnownLevel()
    {
        var classes = TestLevel.TestClasses(typeof(TestLevelTests).Assembly);

        Assert.Contains(typeof(TestLevelTests), classes);
        Assert.Contains(typeof(Deployment.DeployScriptAgainstAManagerWithoutRedisTests), classes);
        Assert.Contains(typeof(Network.NetworkLabTests), classes); // [SkippableFact] counts as a test
        Assert.Empty(TestLevel.Misfiled(classes));
    }

    [Fact]
    public void AClassWithNoLevelTwoLevelsOrAnUnknownOneIsReported()
    {
        var misfiled = TestLevel.Misfiled([typeof(TestLevelTests), typeof(NoLevel), typeof(TwoLevels), typeof(UnknownLevel)]);

        Assert.Equal([$"{typeof(NoLevel).FullName}: []", $"{typeof(TwoLevels).FullName}: [Unit, Api]", $"{typeof(UnknownLevel).FullName}: [Slow]"],
            misfiled);
    }

    private sealed class NoLevel;

    [Trait(TestLevel.Name, TestLevel.Unit)]
    [Trait(TestLevel.Name, TestLevel.Api)]
    private sealed class TwoLevels;

    [Trait(TestLevel.Name, "Slow")]
    private sealed class UnknownLevel;
}
