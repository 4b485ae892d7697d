using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Agent.Workloads.Trading;
using Orchestrator.Agent.Runtime;
using Orchestrator.Agent.Workloads;
using Orchestrator.Protocol;

namespace Orchestrator.Tests.Agent;

[Trait(TestLevel.Name, TestLevel.Unit)]
public class TradingAgentTests
{
    private static TradingAgent Agent(string strategy, int seed = 7, FakeTimeProvider? time = null) =>
        new("agt-t", TradingConfig.Parse("agt-t", new JsonObject { ["strategy"] = strategy, ["seed"] = seed, ["symbols"] = new JsonArray("AAA", "BBB", "CCC") }),
            time ?? new FakeTimeProvider(), new TradingTelemetry(RuntimeHarness.Meters), NullLogger.Instance);

    [Theory]
    [InlineData("momentum")]
    [InlineData("distributed_momentum")]
    [InlineData("mean_reversion")]
    public void EachStrategyTradesTheFeedAndKeepsPositionAndPnl(string strategy)
    {
        var agent = Agent(strategy);
        for (var i = 0; i < 500; i++) agent.Step();

        var figures = agent.Figures();
        Assert.Equal(strategy, (string?)figures["strategy"]);
        Assert.Equal(500, (long)figures["ticks_processed"]!);
        Assert.True((long)figures["signals"]! > 0, "some signals in 500 ticks");
        Assert.NotNull((string?)figures["last_signal"]);
        var positions = figures["position"]!.AsObject();
        Assert.Equal(3, positions.Count);
        Assert.All(positions, p => Assert.Contains((double)p.Value!, new[] { -1.0, 0.0, 1.0 }));
        Assert.Equal(Math.Round(agent.ProfitAndLoss, 4), (double)figures["pnl"]!);
    }

    [Fact]
    public void TheSameSeedReplaysTheSameMarketAndTrades()
    {
        var first = Agent("momentum", seed: 42);
        var second = Agent("momentum", seed: 42);
        var other = Agent("momentum", seed: 43);
        for (var i = 0; i < 200; i++)
        {
            first.Step();
            second.Step();
            other.Step();
        }
        Assert.Equal(first.Figures().ToJsonString(), second.Figures().ToJsonString());
        Assert.NotEqual(first.Figures()["prices"]!.ToJsonString(), other.Figures()["prices"]!.ToJsonString());
    }

    [Fact]
    public void StrategiesDisagreeOnTheSameMarket()
    {
        var momentum = Agent("momentum");
        var reversion = Agent("mean_reversion");
        for (var i = 0; i < 300; i++)
        {
            momentum.Step();
            reversion.Step();
        }
        Assert.NotEqual((long)momentum.Figures()["signals"]!, (long)reversion.Figures()["signals"]!);
    }

    [Fact]
    public async Task TicksFollowTheConfiguredInterval()
    {
        var time = new FakeTimeProvider();
        var agent = new TradingAgent("agt-t", TradingConfig.Parse("agt-t", new JsonObject { ["strategy"] = "momentum", ["tick_interval_ms"] = 100 }),
            time, new TradingTelemetry(RuntimeHarness.Meters), NullLogger.Instance);
        using var stop = new CancellationTokenSource();
        var run = agent.RunAsync(stop.Token);
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            await Testing.Deadline.UntilAsync(() => Task.FromResult((long)agent.Figures()["ticks_processed"]! == i + 1), TimeSpan.FromSeconds(5), $"tick {i + 1}");
        }
        await stop.CancelAsync();
        await run;
    }

    [Theory]
    [InlineData("""{"strategy":"yolo"}""", "agent_config.strategy 'yolo' is unknown")]
    [InlineData("""{"strategy":3}""", "agent_config.strategy has the wrong type")]
    [InlineData("""{"strategy":"momentum","symbols":[]}""", "agent_config.symbols must name at least one symbol")]
    [InlineData("""{"strategy":"momentum","short_window":10,"long_window":5}""", "short_window < long_window")]
    [InlineData("""{"strategy":"momentum","tick_interval_ms":1}""", "tick_interval_ms must be at least 10")]
    public void InvalidConfigIsRefusedWithAClearMessage(string config, string message)
    {
        var error = Assert.Throws<AgentConfigException>(() => TradingConfig.Parse("a", JsonNode.Parse(config)!.AsObject()));
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void TheSeedsDeployConfigIsAccepted()
    {
        var config = TradingConfig.Parse("a", JsonNode.Parse("""{"strategy":"distributed_momentum","orchestrator_id":1}""")!.AsObject());
        Assert.Equal("distributed_momentum", config.Strategy);
    }
}
