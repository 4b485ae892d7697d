using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Orchestrator.Manager.Events;

// Degraded while events cannot be written (the API still works; the event stream lags or drops).
public sealed class EventWriterHealthCheck(EventWriter writer, EventsTelemetry telemetry) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(writer.LastError is { } error
            ? HealthCheckResult.Degraded($"events are not being written: {error}")
            : HealthCheckResult.Healthy($"events written; {telemetry.DroppedTotal} dropped since start"));
}
