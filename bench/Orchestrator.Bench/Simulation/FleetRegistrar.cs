using System.Diagnostics;
using Orchestrator.Bench.Measurement;
using Orchestrator.Bench.Protocol;

namespace Orchestrator.Bench.Simulation;

// Logs in and registers clusters with bounded concurrency, as a fleet of orchestrators starting
// at once would. A cluster that still fails after three tries is left unregistered and counted.
public static class FleetRegistrar
{
    // budget: registration stops there (the rest stay unregistered and the result says so).
    public static async Task<RegistrationResult> RegisterAsync(ProtocolClient client, IReadOnlyList<SimCluster> clusters,
        int concurrency, CancellationToken cancellationToken, TimeSpan? budget = null)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (budget is { } b) limit.CancelAfter(b);
        var outcomes = new OutcomeCounts();
        var latency = new LatencyRecorder();
        string? firstError = null;
        var clock = Stopwatch.StartNew();
        var stoppedByBudget = false;
        try
        {
            await Parallel.ForEachAsync(clusters, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = limit.Token },
            async (cluster, token) =>
            {
                for (var attempt = 0; attempt < 3; attempt++)
                {
                    var started = Stopwatch.GetTimestamp();
                    try
                    {
                        await client.RegisterAsync(cluster, token);
                        latency.RecordSince(started);
                        outcomes.Add(Outcome.Ok);
                        return;
                    }
                    catch (ProtocolException e)
                    {
                        outcomes.AddStatus(e.Status);
                        Interlocked.CompareExchange(ref firstError, e.Message, null);
                    }
                    catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !token.IsCancellationRequested)
                    {
                        outcomes.AddException(e);
                        Interlocked.CompareExchange(ref firstError, e.Message, null);
                    }
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * (attempt + 1) * (0.5 + Random.Shared.NextDouble())), token);
                }
            });
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            stoppedByBudget = true;
        }
        var registered = clusters.Count(c => c.ContainerId is not null);
        if (registered == 0 && clusters.Count > 0)
            throw new InvalidOperationException($"no cluster could register; first error: {firstError}");
        return new RegistrationResult(registered, Math.Round(clock.Elapsed.TotalSeconds, 2),
            Math.Round(registered / clock.Elapsed.TotalSeconds, 1), latency.Summarize(), outcomes.Summarize(), stoppedByBudget);
    }
}

// Each registration is a login plus a register call; latency covers both.
public sealed record RegistrationResult(int Clusters, double Seconds, double PerSecond, LatencySummary Latency, OutcomeSummary Outcomes,
    bool StoppedByBudget = false);
