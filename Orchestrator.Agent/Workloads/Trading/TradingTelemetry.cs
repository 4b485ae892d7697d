using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Orchestrator.Agent.Workloads.Trading;

// Trading figures as metrics: ticks and signals as counters, P&L and position per agent as gauges.
public sealed class TradingTelemetry
{
    public const string Name = "Orchestrator.Agent.Trading";

    private readonly ConcurrentDictionary<string, TradingAgent> _live = new();
    private readonly Counter<long> _ticks;
    private readonly Counter<long> _signals;

    public TradingTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _ticks = meter.CreateCounter<long>("orchestrator.trading.ticks", description: "Market ticks processed");
        _signals = meter.CreateCounter<long>("orchestrator.trading.signals", description: "Trade signals emitted");
        meter.CreateObservableGauge("orchestrator.trading.pnl",
            () => _live.Values.Select(a => new Measurement<double>(a.ProfitAndLoss, Tag(a.AgentId))), description: "Profit and loss");
        meter.CreateObservableGauge("orchestrator.trading.position",
            () => _live.Values.Select(a => new Measurement<double>(a.NetPosition, Tag(a.AgentId))), description: "Net position in units");
    }

    public void Attach(TradingAgent agent) => _live[agent.AgentId] = agent;

    public void Detach(TradingAgent agent) => _live.TryRemove(new(agent.AgentId, agent));

    public void Tick(string agentId) => _ticks.Add(1, Tag(agentId));

    public void Signal(string agentId, string strategy, TradeSignal signal) =>
        _signals.Add(1, new TagList { Tag(agentId), { "strategy", strategy }, { "side", signal.ToString().ToLowerInvariant() } });

    private static KeyValuePair<string, object?> Tag(string agentId) => new("agent_id", agentId);
}
