using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Orchestrator.Agent.Fencing;

// ActivitySource and Meter "Orchestrator.Agent.Fencing".
public sealed class FencingTelemetry
{
    public const string Name = "Orchestrator.Agent.Fencing";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _fenced;
    private readonly Counter<long> _released;

    public FencingTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _fenced = meter.CreateCounter<long>("orchestrator.agent.fenced", "{agent}", "reschedule agents stopped because their lease ran out");
        _released = meter.CreateCounter<long>("orchestrator.agent.fence.released", "{agent}", "Fenced agents confirmed by the manager again");
    }

    public void Fenced() => _fenced.Add(1);

    public void Released() => _released.Add(1);
}
