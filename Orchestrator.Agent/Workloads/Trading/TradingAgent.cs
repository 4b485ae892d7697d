using System.Text.Json.Nodes;

namespace Orchestrator.Agent.Workloads.Trading;

// The seed's example workload: consumes the simulated feed, runs its strategy, keeps a position per
// symbol and its P&L (cash plus positions at market), and emits a signal whenever it changes a position.
public sealed class TradingAgent(string agentId, TradingConfig config, TimeProvider time, TradingTelemetry telemetry, ILogger logger,
    WorkloadEvents? events = null)
    : IInProcessWorkload
{
    private readonly Lock _gate = new();
    private readonly MarketFeed _feed = new(config.Symbols, config.Seed, config.LongWindow + 1);
    private readonly ITradingStrategy _strategy = TradingStrategies.Create(config);
    private readonly Dictionary<string, double> _positions = config.Symbols.ToDictionary(s => s, _ => 0.0);
    private double _cash;
    private long _ticks;
    private long _signals;
    private string? _lastSignal;

    public string AgentId => agentId;

    public double ProfitAndLoss { get { lock (_gate) return PnlLocked(); } }

    public double NetPosition { get { lock (_gate) return _positions.Values.Sum(); } }

    public async Task RunAsync(CancellationToken stopping)
    {
        telemetry.Attach(this);
        try
        {
            using var timer = new PeriodicTimer(config.TickInterval, time);
            while (await timer.WaitForNextTickAsync(stopping)) Step();
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            telemetry.Detach(this);
        }
    }

    // One market tick: advance the feed, ask the strategy per symbol, trade towards its target.
    public void Step()
    {
        lock (_gate)
        {
            _feed.Tick();
            _ticks++;
            foreach (var symbol in config.Symbols)
            {
                var signal = _strategy.Decide(_feed, symbol);
                var target = signal switch { TradeSignal.Buy => config.Quantity, TradeSignal.Sell => -config.Quantity, _ => _positions[symbol] };
                if (target == _positions[symbol]) continue;
                _cash -= (target - _positions[symbol]) * _feed.Price(symbol);
                _positions[symbol] = target;
                _signals++;
                _lastSignal = $"{signal.ToString().ToLowerInvariant()} {symbol} @ {_feed.Price(symbol):F2}";
                events?.Line(Orchestrator.Protocol.LogStreams.Stdout, _lastSignal);
                telemetry.Signal(agentId, config.Strategy, signal);
                logger.LogDebug("Agent {AgentId}: {Signal}", agentId, _lastSignal);
            }
        }
        telemetry.Tick(agentId);
    }

    public void Kill()
    {
        // In-process: nothing to kill beyond the cancelled timer.
    }

    public JsonObject Figures()
    {
        lock (_gate)
        {
            var positions = new JsonObject();
            var prices = new JsonObject();
            foreach (var symbol in config.Symbols)
            {
                positions[symbol] = _positions[symbol];
                prices[symbol] = Math.Round(_feed.Price(symbol), 4);
            }
            return new JsonObject
            {
                ["strategy"] = config.Strategy,
                ["ticks_processed"] = _ticks,
                ["signals"] = _signals,
                ["last_signal"] = _lastSignal,
                ["position"] = positions,
                ["prices"] = prices,
                ["pnl"] = Math.Round(PnlLocked(), 4),
            };
        }
    }

    private double PnlLocked() => _cash + config.Symbols.Sum(s => _positions[s] * _feed.Price(s));
}
