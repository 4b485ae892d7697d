using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Orchestrator.Agent.Connection;

// The heartbeat loop's own traces and metrics.
public sealed class ConnectionTelemetry
{
    public const string Name = "Orchestrator.Agent.Connection";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Counter<long> _heartbeats;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _registrations;

    public ConnectionTelemetry(IMeterFactory meters, ConnectionState state)
    {
        var meter = meters.Create(Name);
        _heartbeats = meter.CreateCounter<long>("orchestrator.connection.heartbeats", description: "Heartbeats the manager accepted");
        _failures = meter.CreateCounter<long>("orchestrator.connection.failures", description: "Failed calls to the manager, by cause");
        _registrations = meter.CreateCounter<long>("orchestrator.connection.registrations", description: "Successful registrations");
        meter.CreateObservableGauge("orchestrator.connection.connected", () => state.Link == ManagerLink.Connected ? 1 : 0,
            description: "1 while the manager answers");
    }

    public void Heartbeat() => _heartbeats.Add(1);

    public void Registered() => _registrations.Add(1);

    public void Failure(FailureCause cause, string phase) =>
        _failures.Add(1, new TagList { { "cause", cause.Kind }, { "phase", phase } });
}
