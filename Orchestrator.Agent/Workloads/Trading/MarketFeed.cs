namespace Orchestrator.Agent.Workloads.Trading;

// A simulated market: a seeded geometric random walk per symbol, with a short price history.
public sealed class MarketFeed(IReadOnlyList<string> symbols, int seed, int historyLength)
{
    private const double Volatility = 0.01;
    private readonly Random _random = new(seed);
    private readonly Dictionary<string, List<double>> _history = symbols.ToDictionary(s => s, _ => new List<double> { 100.0 });

    public IReadOnlyList<string> Symbols => symbols;

    public IReadOnlyList<double> History(string symbol) => _history[symbol];

    public double Price(string symbol) => _history[symbol][^1];

    public void Tick()
    {
        foreach (var prices in _history.Values)
        {
            prices.Add(prices[^1] * Math.Exp(Volatility * Gaussian()));
            if (prices.Count > historyLength) prices.RemoveAt(0);
        }
    }

    // Box-Muller.
    private double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
}
