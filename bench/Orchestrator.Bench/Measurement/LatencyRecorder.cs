using System.Diagnostics;
using HdrHistogram;

namespace Orchestrator.Bench.Measurement;

// Latencies in microseconds, 1 µs to 5 min at 3 significant digits. A lock (uncontended at these
// rates) lets a summary be taken while late answers are still being recorded.
public sealed class LatencyRecorder
{
    private const long HighestMicros = 300_000_000;
    private readonly Lock _gate = new();
    private readonly LongHistogram _histogram = new(1, HighestMicros, 3);

    public long Count
    {
        get { lock (_gate) return _histogram.TotalCount; }
    }

    public void RecordSince(long startTimestamp) => RecordElapsed(Stopwatch.GetElapsedTime(startTimestamp));

    public void RecordElapsed(TimeSpan elapsed)
    {
        var micros = Math.Clamp((long)(elapsed.Ticks / 10.0), 1, HighestMicros);
        lock (_gate) _histogram.RecordValue(micros);
    }

    public LatencySummary Summarize()
    {
        lock (_gate) return LatencySummary.From(_histogram);
    }
}

// Milliseconds, as printed in the tables.
public sealed record LatencySummary(long Count, double MeanMs, double P50Ms, double P90Ms, double P99Ms, double P999Ms, double MaxMs)
{
    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0, 0, 0);

    public static LatencySummary From(HistogramBase histogram)
    {
        if (histogram.TotalCount == 0) return Empty;
        double Ms(double percentile) => histogram.GetValueAtPercentile(percentile) / 1000.0;
        return new(histogram.TotalCount, Math.Round(histogram.GetMean() / 1000.0, 3), Ms(50), Ms(90), Ms(99), Ms(99.9),
            histogram.GetMaxValue() / 1000.0);
    }
}
