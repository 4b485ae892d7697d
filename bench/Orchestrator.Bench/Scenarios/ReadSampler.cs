using System.Diagnostics;
using System.Net.Http.Headers;
using Orchestrator.Bench.Measurement;
using Orchestrator.Bench.Protocol;

namespace Orchestrator.Bench.Scenarios;

// An operator's reads, one after another (as a dashboard polling would), while the fleet heartbeats.
// The first call is timed apart and kept out of the percentiles: it pays the JIT for the endpoint's code
// (1.7 s for a first distribution read at 10,000 containers, against 180 ms after), which a dashboard pays
// once per manager process, not per poll.
public static class ReadSampler
{
    public static async Task<ReadResult> SampleAsync(ProtocolClient client, AuthenticationHeaderValue admin, string path, int samples,
        TimeSpan budget, CancellationToken cancellationToken)
    {
        var latency = new LatencyRecorder();
        var outcomes = new OutcomeCounts();
        long bytes = 0;
        var first = Stopwatch.StartNew();
        try
        {
            await client.GetAsync(admin, path, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            outcomes.AddException(e);
        }
        var firstMs = Math.Round(first.Elapsed.TotalMilliseconds, 1);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < samples && clock.Elapsed < budget; i++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var (status, size) = await client.GetAsync(admin, path, cancellationToken);
                latency.RecordSince(started);
                if (outcomes.AddStatus(status) == Outcome.Ok) bytes = size;
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                latency.RecordSince(started);
                outcomes.AddException(e);
            }
        }
        return new ReadResult(path, latency.Summarize(), outcomes.Summarize(), bytes, firstMs);
    }
}

// FirstMs: the untimed-in-percentiles first call (see above).
public sealed record ReadResult(string Path, Measurement.LatencySummary Latency, OutcomeSummary Outcomes, long ResponseBytes, double FirstMs);
