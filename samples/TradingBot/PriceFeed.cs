namespace TradingBot;

// A simulated market: a random walk with drift and volatility, seeded, so runs are reproducible. Paper trading
// only; no exchange is ever contacted.
public sealed class PriceFeed(int seed, decimal start)
{
    private readonly Random _random = new(seed);
    private double _price = (double)start;

    public decimal Next()
    {
        // Box-Muller: one standard normal step, 0.2 % volatility per tick.
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        _price *= Math.Exp(0.002 * normal);
        return Math.Round((decimal)_price, 2);
    }
}
