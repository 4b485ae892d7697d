using System.Diagnostics.Metrics;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Telemetry;

namespace Orchestrator.Tests.Abuse;

// Reads the orchestrator.manager.long_polls.held gauge as an exporter would.
public sealed class HeldGauge : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _value = -1;

    public HeldGauge(IMeterFactory managersMeters)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == managersMeters && instrument.Meter.Name == ManagerMetrics.MeterName && instrument.Name == AssignmentNotifier.HeldGauge)
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<int>((_, value, _, _) => _value = value);
        _listener.Start();
    }

    public long Read()
    {
        _value = -1;
        _listener.RecordObservableInstruments();
        return _value;
    }

    public void Dispose() => _listener.Dispose();
}
