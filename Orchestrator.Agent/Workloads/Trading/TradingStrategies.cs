namespace Orchestrator.Agent.Workloads.Trading;

public enum TradeSignal { Hold, Buy, Sell }

public interface ITradingStrategy
{
    TradeSignal Decide(MarketFeed feed, string symbol);
}

public static class TradingStrategies
{
    public static ITradingStrategy Create(TradingConfig config) => config.Strategy switch
    {
        "momentum" => new MomentumStrategy(config.ShortWindow, config.LongWindow),
        "distributed_momentum" => new DistributedMomentumStrategy(config.ShortWindow, config.LongWindow),
        "mean_reversion" => new MeanReversionStrategy(config.LongWindow, config.Threshold),
        _ => throw new ArgumentOutOfRangeException(nameof(config), config.Strategy, "validated by TradingConfig"),
    };

    internal static double Mean(IReadOnlyList<double> prices, int window) => prices.Skip(prices.Count - window).Average();

    // Short average minus long average, relative to the long one; null until the history is long enough.
    internal static double? Momentum(IReadOnlyList<double> prices, int shortWindow, int longWindow)
    {
        if (prices.Count < longWindow) return null;
        var longMean = Mean(prices, longWindow);
        return (Mean(prices, shortWindow) - longMean) / longMean;
    }
}

// Follow the trend of each symbol: short average above the long one buys, below sells.
public sealed class MomentumStrategy(int shortWindow, int longWindow) : ITradingStrategy
{
    public TradeSignal Decide(MarketFeed feed, string symbol) =>
        TradingStrategies.Momentum(feed.History(symbol), shortWindow, longWindow) switch
        {
            > 0 => TradeSignal.Buy,
            < 0 => TradeSignal.Sell,
            _ => TradeSignal.Hold,
        };
}

// Momentum confirmed across the whole basket: trade a symbol's trend only when the market's
// average momentum points the same way.
public sealed class DistributedMomentumStrategy(int shortWindow, int longWindow) : ITradingStrategy
{
    public TradeSignal Decide(MarketFeed feed, string symbol)
    {
        var own = TradingStrategies.Momentum(feed.History(symbol), shortWindow, longWindow);
        var all = feed.Symbols.Select(s => TradingStrategies.Momentum(feed.History(s), shortWindow, longWindow)).ToList();
        if (own is null || all.Any(m => m is null)) return TradeSignal.Hold;
        var market = all.Average(m => m!.Value);
        if (own > 0 && market > 0) return TradeSignal.Buy;
        if (own < 0 && market < 0) return TradeSignal.Sell;
        return TradeSignal.Hold;
    }
}

// Bet on a return to the average: a price far below it (in standard deviations) buys, far above sells.
public sealed class MeanReversionStrategy(int window, double threshold) : ITradingStrategy
{
    public TradeSignal Decide(MarketFeed feed, string symbol)
    {
        var prices = feed.History(symbol);
        if (prices.Count < window) return TradeSignal.Hold;
        var recent = prices.Skip(prices.Count - window).ToArray();
        var mean = recent.Average();
        var deviation = Math.Sqrt(recent.Average(p => (p - mean) * (p - mean)));
        if (deviation == 0) return TradeSignal.Hold;
        var z = (prices[^1] - mean) / deviation;
        return z < -threshold ? TradeSignal.Buy : z > threshold ? TradeSignal.Sell : TradeSignal.Hold;
    }
}
