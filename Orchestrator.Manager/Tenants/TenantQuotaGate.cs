using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Tenants;

// Makes a tenant's quota hold under concurrency, across every replica. A quota counts what a tenant has in many
// containers, which live in many Redis Cluster slots, so no one script can check it and write in one step.
// Instead, a deploy (or enrollment) that a quota limits holds that tenant's lease while it counts the tenant's
// usage from a read that began after it took the lease, and while it writes what it admits. Deploys for
// tenants without a quota never wait. The lease expires after Scheduling:ReservationTimeout, so a manager
// that dies holding it blocks that tenant's next deploy for at most that long.
// The wait runs on the real clock, not the app's TimeProvider: what it waits for, a lease's PX expiry, runs on
// Redis's clock, which a test's fake time does not move.
public sealed class TenantQuotaGate(IConnectionMultiplexer redis, IOptions<SchedulingOptions> options)
{
    private static readonly TimeProvider Clock = TimeProvider.System;

    public const string Agents = "agents";
    public const string Containers = "containers";

    // Null when a tenant's lease stayed taken for longer than a lease can live (busy, or the holder is slow):
    // the caller answers "try again" instead of waiting without end.
    public async Task<Held?> EnterAsync(string quota, IEnumerable<string> tenants, CancellationToken cancellationToken = default)
    {
        var ttl = options.Value.ReservationTimeout;
        var held = new Held();
        // Taken in one order (ordinal) by every caller, so two deploys spanning the same tenants cannot deadlock.
        foreach (var tenant in tenants.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            var lease = new LeaderLease(redis, key: RedisKeys.TenantQuotaLease(quota, tenant));
            var started = Clock.GetTimestamp();
            while (!await lease.TryAcquireAsync(ttl))
            {
                if (Clock.GetElapsedTime(started) > ttl)
                {
                    await held.DisposeAsync();
                    return null;
                }
                // Short and jittered: a holder keeps it for one fleet read and one placement, milliseconds.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(2, 12)), Clock, cancellationToken);
            }
            held.Add(lease);
        }
        return held;
    }

    public sealed class Held : IAsyncDisposable
    {
        private readonly List<LeaderLease> _leases = [];

        internal void Add(LeaderLease lease) => _leases.Add(lease);

        public async ValueTask DisposeAsync()
        {
            // Best effort: a lease not released (Redis unreachable) expires by itself.
            try { await Task.WhenAll(_leases.Select(l => l.ReleaseAsync())); }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException) { }
            _leases.Clear();
        }
    }
}
