using System.Diagnostics.Metrics;
using Orchestrator.Manager.Containers;

namespace Orchestrator.Manager.Telemetry;

// Meter "Orchestrator.Manager" (ServiceDefaults exports every "Orchestrator.*" meter to the dashboard).
public sealed class ManagerMetrics
{
    public const string MeterName = "Orchestrator.Manager";

    private readonly Counter<long> _registrations;
    private readonly Counter<long> _heartbeats;
    private readonly Histogram<double> _heartbeatDuration;

    public ManagerMetrics(IMeterFactory meterFactory, ContainerStatusSnapshot snapshot)
    {
        var meter = meterFactory.Create(MeterName);
        _registrations = meter.CreateCounter<long>("orchestrator.manager.registrations", "{registration}",
            "Container registrations; outcome=created for new containers, updated for re-registrations");
        _heartbeats = meter.CreateCounter<long>("orchestrator.manager.heartbeats", "{heartbeat}",
            "Heartbeats received, by outcome");
        _heartbeatDuration = meter.CreateHistogram<double>("orchestrator.manager.heartbeat.duration", "s",
            "Time to handle one heartbeat (validation and the Redis script)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1] });
        meter.CreateObservableGauge("orchestrator.manager.containers", snapshot.Observe, "{container}",
            "Registered containers by status, as of the liveness monitor's last pass");
    }

    public void Registered(bool created) =>
        _registrations.Add(1, new KeyValuePair<string, object?>("outcome", created ? "created" : "updated"));

    public void Heartbeat(HeartbeatOutcome outcome, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome switch
        {
            HeartbeatOutcome.Accepted => "accepted",
            HeartbeatOutcome.UnknownContainer => "unknown_container",
            _ => "forbidden",
        });
        _heartbeats.Add(1, tag);
        _heartbeatDuration.Record(elapsed.TotalSeconds, tag);
    }
}
