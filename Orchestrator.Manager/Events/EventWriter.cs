using System.Diagnostics;
using StackExchange.Redis;

namespace Orchestrator.Manager.Events;

// Appends EventLog's queue to the Redis stream, a batch per pass, in the order the hooks saw the changes.
// While Redis is down the batch is retried (the queue absorbs new events up to its capacity).
public sealed class EventWriter(EventLog log, EventStore store, EventsTelemetry telemetry, TimeProvider time, ILogger<EventWriter> logger)
    : BackgroundService
{
    private const int MaxBatch = 256;
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    public string? LastError { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingEvent>(MaxBatch);
        try
        {
            while (await log.Pending.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && log.Pending.TryRead(out var next)) batch.Add(next);
                using var activity = StartWrite(batch);
                activity?.SetTag("events.count", batch.Count);
                try
                {
                    await store.AppendAsync(batch);
                    telemetry.Written(batch.Count);
                    batch.Clear();
                    LastError = null;
                }
                catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
                {
                    LastError = ex.Message;
                    logger.LogWarning("Writing {Count} events failed ({Error}); retrying", batch.Count, ex.Message);
                    await Task.Delay(RetryAfter, time, stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Not Redis being away but this batch (a defect): retrying it would hold every later event back,
                    // and ending the loop would stop the manager. The batch is dropped, with its stack in the log.
                    LastError = ex.Message;
                    logger.LogError(ex, "Writing {Count} events failed unexpectedly; the batch is dropped", batch.Count);
                    batch.Clear();
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    // Under the first event's cause (usually the only one: a deploy call's events arrive together), linked to the
    // others'; a root only when nothing traced caused them.
    private static Activity? StartWrite(List<PendingEvent> batch)
    {
        var causes = batch.Select(e => e.Cause).Where(c => c.TraceId != default).Distinct().ToList();
        var parent = causes.FirstOrDefault();
        var links = causes.Skip(1).Take(16).Select(c => new ActivityLink(c));
        return EventsTelemetry.Source.StartActivity("write events", ActivityKind.Internal, parent, links: links);
    }
}
