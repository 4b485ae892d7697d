using System.Text.Json;
using System.Text.Json.Nodes;

namespace Orchestrator.Agent.Workloads.Trading;

// agent_config of a trading_agent. Unknown keys (such as the seed's orchestrator_id) are ignored.
public sealed record TradingConfig(
    string Strategy, IReadOnlyList<string> Symbols, int Seed, TimeSpan TickInterval,
    int ShortWindow, int LongWindow, double Threshold, double Quantity)
{
    public static readonly string[] Strategies = ["momentum", "distributed_momentum", "mean_reversion"];

    public static TradingConfig Parse(string agentId, JsonObject? config)
    {
        config ??= [];
        var strategy = Get(config, "strategy", n => n.GetValue<string>(), "momentum");
        if (!Strategies.Contains(strategy))
            throw new AgentConfigException($"agent_config.strategy '{strategy}' is unknown; use one of: {string.Join(", ", Strategies)}");
        var symbols = Get(config, "symbols", n => n.AsArray().Select(s => s!.GetValue<string>()).ToArray(), ["BTC-USD", "ETH-USD"]);
        if (symbols.Length == 0) throw new AgentConfigException("agent_config.symbols must name at least one symbol");
        var seed = Get(config, "seed", n => n.GetValue<int>(), StableSeed(agentId));
        var tickMs = Get(config, "tick_interval_ms", n => n.GetValue<int>(), 1000);
        if (tickMs < 10) throw new AgentConfigException($"agent_config.tick_interval_ms must be at least 10, got {tickMs}");
        var shortWindow = Get(config, "short_window", n => n.GetValue<int>(), 5);
        var longWindow = Get(config, "long_window", n => n.GetValue<int>(), 20);
        if (shortWindow < 1 || longWindow <= shortWindow)
            throw new AgentConfigException($"agent_config windows need 1 <= short_window < long_window, got {shortWindow} and {longWindow}");
        var threshold = Get(config, "threshold", n => n.GetValue<double>(), 1.5);
        var quantity = Get(config, "quantity", n => n.GetValue<double>(), 1.0);
        if (threshold <= 0 || quantity <= 0) throw new AgentConfigException("agent_config.threshold and agent_config.quantity must be positive");
        return new(strategy, symbols, seed, TimeSpan.FromMilliseconds(tickMs), shortWindow, longWindow, threshold, quantity);
    }

    private static T Get<T>(JsonObject config, string key, Func<JsonNode, T> read, T fallback)
    {
        if (!config.TryGetPropertyValue(key, out var node) || node is null) return fallback;
        try
        {
            return read(node);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or JsonException or NullReferenceException)
        {
            throw new AgentConfigException($"agent_config.{key} has the wrong type: {node.ToJsonString()}");
        }
    }

    // Same agent id, same market: restarts replay the same walk unless a seed is given.
    private static int StableSeed(string agentId) => agentId.Aggregate(17, (hash, c) => unchecked(hash * 31 + c));
}
