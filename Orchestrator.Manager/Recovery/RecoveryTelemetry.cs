using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Orchestrator.Manager.Recovery;

// ActivitySource and Meter "Orchestrator.Manager.Recovery": one span per reschedule pass and per move.
public sealed class RecoveryTelemetry
{
    public const string Name = "Orchestrator.Manager.Recovery";
    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _moved;
    private readonly Counter<long> _stuck;

    public RecoveryTelemetry(IMeterFactory meterFactory, ReschedulingState state)
    {
        var meter = meterFactory.Create(Name);
        _moved = meter.CreateCounter<long>("orchestrator.manager.reschedules", "{agent}", "reschedule agents moved off lost containers");
        _stuck = meter.CreateCounter<long>("orchestrator.manager.reschedule.unplaced", "{agent}",
            "Attempts to move an agent that found no healthy container with room");
        meter.CreateObservableGauge("orchestrator.manager.rescheduling.paused", () => state.Paused ? 1 : 0, "{flag}",
            "1 while mass-disconnect safety pauses rescheduling");
    }

    public void Moved() => _moved.Add(1);

    public void Unplaced() => _stuck.Add(1);
}
