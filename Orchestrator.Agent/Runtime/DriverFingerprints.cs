using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orchestrator.Agent.Workloads;

namespace Orchestrator.Agent.Runtime;

// Asks every workload driver, now and every Period, whether it can run here (Nomad's fingerprint loop).
// The node advertises a driver's agent type only while the answer is yes; Changed fires when the set changes,
// so the connection registers again with the new capabilities.
public sealed class DriverFingerprints(WorkloadDrivers drivers, TimeProvider time, ILogger<DriverFingerprints> logger) : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    private volatile IReadOnlyDictionary<string, DriverFingerprint> _latest = new Dictionary<string, DriverFingerprint>();

    public event Action? Changed;

    public IReadOnlyDictionary<string, DriverFingerprint> Latest => _latest;

    // The agent types this node can run right now.
    public IReadOnlyList<string> Usable => [.. _latest.Where(f => f.Value.Usable).Select(f => f.Key).Order(StringComparer.Ordinal)];

    // The capabilities of the usable drivers, and of the unusable ones (never advertised, even when AGENT_CONFIG names them).
    public (IReadOnlyList<string> Usable, IReadOnlySet<string> Unusable) Capabilities()
    {
        var latest = _latest;
        var usable = drivers.All.Where(d => latest.TryGetValue(d.Name, out var f) && f.Usable).Select(d => d.Capability).Distinct(StringComparer.Ordinal).ToList();
        var unusable = drivers.All.Where(d => latest.TryGetValue(d.Name, out var f) && !f.Usable).Select(d => d.Capability)
            .Where(c => !usable.Contains(c)).ToHashSet(StringComparer.Ordinal);
        return (usable, unusable);
    }

    // The first pass runs before the node registers (hosted services start in order), so its first
    // registration already carries what it can run.
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken)) await RefreshAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var next = new Dictionary<string, DriverFingerprint>(StringComparer.Ordinal);
        foreach (var driver in drivers.All)
        {
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bounded.CancelAfter(Timeout);
            try
            {
                next[driver.Name] = await driver.FingerprintAsync(bounded.Token);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                next[driver.Name] = DriverFingerprint.Unusable(ex is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds:0} s" : ex.Message);
            }
        }
        var before = _latest;
        _latest = next;
        var changed = next.Count != before.Count || next.Any(f => !before.TryGetValue(f.Key, out var old) || old.Usable != f.Value.Usable);
        if (!changed) return;
        foreach (var (name, fingerprint) in next)
            logger.LogInformation("Workload driver {Driver}: {Usable} ({Detail})", name, fingerprint.Usable ? "usable" : "not usable", fingerprint.Detail);
        if (before.Count > 0) Changed?.Invoke();
    }
}

// Degraded (HTTP 200) while a driver the node was told to use cannot run: its engine does not answer.
public sealed class DriverHealthCheck(DriverFingerprints fingerprints) : IHealthCheck
{
    public const string Name = "workload-drivers";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var down = fingerprints.Latest.Where(f => !f.Value.Usable && f.Value.Detail.StartsWith(DriverFingerprint.EngineDown, StringComparison.Ordinal)).ToList();
        return Task.FromResult(down.Count == 0
            ? HealthCheckResult.Healthy($"usable: {string.Join(", ", fingerprints.Usable)}")
            : HealthCheckResult.Degraded(string.Join("; ", down.Select(d => $"{d.Key}: {d.Value.Detail}"))));
    }
}
