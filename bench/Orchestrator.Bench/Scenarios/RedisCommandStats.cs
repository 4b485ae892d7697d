using Orchestrator.Testing.Hosting;

namespace Orchestrator.Bench.Scenarios;

// INFO commandstats after a saturated heartbeat run, divided by the heartbeats answered: which Redis
// commands one heartbeat costs, and how long Redis itself spent on each.
public sealed record RedisCommandStats(long Heartbeats, IReadOnlyList<RedisCommandStat> Commands)
{
    // Summed over every node (the masters of a Redis Cluster): calls added, µs per call weighted by calls.
    public static async Task<RedisCommandStats> ReadAsync(IReadOnlyList<RedisHost> nodes, long heartbeats)
    {
        var totals = new Dictionary<string, (long Calls, double Usec)>();
        foreach (var node in nodes)
        {
            foreach (var (key, value) in (await node.InfoAsync("commandstats")).Where(p => p.Key.StartsWith("cmdstat_", StringComparison.Ordinal)))
            {
                var fields = value.Split(',').Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
                var was = totals.GetValueOrDefault(key);
                totals[key] = (was.Calls + long.Parse(fields["calls"]), was.Usec + double.Parse(fields["usec"], System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        var commands = totals
            .Select(p => new RedisCommandStat(p.Key["cmdstat_".Length..], p.Value.Calls,
                heartbeats == 0 ? 0 : Math.Round((double)p.Value.Calls / heartbeats, 3),
                p.Value.Calls == 0 ? 0 : Math.Round(p.Value.Usec / p.Value.Calls, 2)))
            .Where(c => !c.Command.StartsWith("config", StringComparison.Ordinal) && c.Command != "info")
            .OrderByDescending(c => c.Calls)
            .ToList();
        return new RedisCommandStats(heartbeats, commands);
    }
}

public sealed record RedisCommandStat(string Command, long Calls, double PerHeartbeat, double MicrosPerCall);
