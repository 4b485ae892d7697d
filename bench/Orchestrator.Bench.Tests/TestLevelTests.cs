namespace Orchestrator.Bench.Tests;

// `scripts/test.sh --fast` selects tests by their Level trait; these are all Unit.
[Trait(TestLevel.Name, TestLevel.Unit)]
public class TestLevelTests
{
    [Fact]
    public void EveryTestClassHasExactlyOneKnownLevel() =>
        Assert.Empty(TestLevel.Misfiled(TestLevel.TestClasses(typeof(TestLevelTests).Assembly)));
}
