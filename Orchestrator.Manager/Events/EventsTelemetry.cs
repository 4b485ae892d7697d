using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Orchestrator.Manager.Events;

// The event stream's own signals: one span per writer pass (its Redis calls are its children, so the
// dashboard's trace list gets no root trace per event), and counts of events written, dropped and streams open.
public sealed class EventsTelemetry
{
    public const string Name = "Orchestrator.Manager.Events";
    public static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _written;
    private readonly Counter<long> _dropped;
    private readonly UpDownCounter<long> _streams;
    private long _droppedTotal;

    public EventsTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _written = meter.CreateCounter<long>("orchestrator.events.written", description: "Events appended to the Redis stream");
        _dropped = meter.CreateCounter<long>("orchestrator.events.dropped", description: "Events dropped because the write queue was full");
        _streams = meter.CreateUpDownCounter<long>("orchestrator.events.streams", description: "Event streams open on this replica");
    }

    public long DroppedTotal => Interlocked.Read(ref _droppedTotal);

    public void Written(int count) => _written.Add(count);

    public void Dropped()
    {
        Interlocked.Increment(ref _droppedTotal);
        _dropped.Add(1);
    }

    public void StreamOpened() => _streams.Add(1);

    public void StreamClosed() => _streams.Add(-1);
}
