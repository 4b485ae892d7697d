using Orchestrator.Bench.Options;

namespace Orchestrator.Bench.Tests;

[Trait(TestLevel.Name, TestLevel.Unit)]
public class SettingsTests
{
    [Fact]
    public void BothPresetsAreValid()
    {
        Assert.Empty(new BenchSettings().Validate());
        Assert.Empty(BenchSettings.ShortPreset.Validate());
    }

    [Fact]
    public void EveryBadSettingIsNamedByItsOption()
    {
        var errors = new BenchSettings { Scenarios = ["heartbeats", "bogus"], HeartbeatClusters = 0, FleetSteps = [10_000, 1_000] }.Validate();

        Assert.Contains(errors, e => e.StartsWith("--scenarios:", StringComparison.Ordinal) && e.Contains("bogus"));
        Assert.Contains(errors, e => e.StartsWith("--hb-clusters:", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("--fleet-steps:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BadCommandLineExitsWithTwoWithoutRunning()
    {
        var ran = false;
        var command = BenchCommand.Create((_, _) => { ran = true; return Task.FromResult(0); });

        var exit = await command.Parse(["--hb-clusters", "0", "--fleet-steps", "1000,x"]).InvokeAsync();

        Assert.Equal(2, exit);
        Assert.False(ran);
    }

    [Fact]
    public async Task OptionsOverrideTheShortPreset()
    {
        BenchSettings? seen = null;
        var command = BenchCommand.Create((settings, _) => { seen = settings; return Task.FromResult(0); });

        var exit = await command.Parse(["--short", "--scenarios", "fleet,redis", "--fleet-steps", "10,20", "--manager-env", "A=b=c"]).InvokeAsync();

        Assert.Equal(0, exit);
        Assert.True(seen!.Short);
        Assert.Equal(["fleet", "redis"], seen.Scenarios);
        Assert.Equal([10, 20], seen.FleetSteps);
        Assert.Equal("b=c", seen.ManagerEnvironment["A"]);
        Assert.Equal(BenchSettings.ShortPreset.ReconnectClusters, seen.ReconnectClusters);
    }

    [Fact]
    public async Task RedisClusterRunsHeartbeatsAndFleetOnThatManyMastersAndRefusesTooFewOrMany()
    {
        BenchSettings? seen = null;
        var command = BenchCommand.Create((settings, _) => { seen = settings; return Task.FromResult(0); });

        Assert.Equal(0, await command.Parse(["--short", "--scenarios", "heartbeats,fleet", "--redis-cluster", "3"]).InvokeAsync());
        Assert.Equal(3, seen!.RedisClusterMasters);
        Assert.Equal(0, BenchSettings.ShortPreset.RedisClusterMasters);
        Assert.Contains(new BenchSettings { RedisClusterMasters = -1 }.Validate(), e => e.StartsWith("--redis-cluster:", StringComparison.Ordinal));
        Assert.Contains(new BenchSettings { RedisClusterMasters = 2 }.Validate(), e => e.StartsWith("--redis-cluster:", StringComparison.Ordinal));
        Assert.Contains(new BenchSettings { RedisClusterMasters = 17 }.Validate(), e => e.StartsWith("--redis-cluster:", StringComparison.Ordinal));
    }
}
