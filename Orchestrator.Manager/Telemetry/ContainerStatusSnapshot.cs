using System.Diagnostics.Metrics;

namespace Orchestrator.Manager.Telemetry;

// Counts by status, refreshed by the liveness monitor on every replica; the gauge reads this
// instead of calling Redis from inside a metrics collection.
public sealed class ContainerStatusSnapshot
{
    private volatile IReadOnlyDictionary<string, int> _counts = ContainerStatus.All.ToDictionary(s => s, _ => 0);

    public IReadOnlyDictionary<string, int> Counts => _counts;

    public void Update(IReadOnlyDictionary<string, int> counts) => _counts = counts;

    public IEnumerable<Measurement<int>> Observe() =>
        _counts.Select(c => new Measurement<int>(c.Value, new KeyValuePair<string, object?>("status", c.Key)));
}
