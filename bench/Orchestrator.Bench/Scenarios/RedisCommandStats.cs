using Orchestrator.Testing.Hosting;

namespace Orchestrator.Bench.Scenarios;

// INFO commandstats after a saturated heartbeat run, divided by the heartbeats answered: which Redis
// commands one heartbeat costs, and how long Redis itself spent on each.
public sealed record RedisCommandStats(long Heartbeats, IReadOnlyList<RedisCommandStat> Commands)
{
    public static async Task<RedisCommandStats> ReadAsync(RedisHost redis, long heartbeats)
    {
        var info = await redis.InfoAsync("commandstats");
        var commands = info
            .Where(p => p.Key.StartsWith("cmdstat_", StringComparison.Ordinal))
            .Select(p =>
            {
                var fields = p.Value.Split(',').Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
                var calls = long.Parse(fields["calls"]);
                return new RedisCommandStat(p.Key["cmdstat_".Length..], calls,
                    heartbeats == 0 ? 0 : Math.Round((double)calls / heartbeats, 3), double.Parse(fields["usec_per_call"], System.Globalization.CultureInfo.InvariantCulture));
            })
            .Where(c => !c.Command.StartsWith("config", StringComparison.Ordinal) && c.Command != "info")
            .OrderByDescending(c => c.Calls)
            .ToList();
        return new RedisCommandStats(heartbeats, commands);
    }
}

public sealed record RedisCommandStat(string Command, long Calls, double PerHeartbeat, double MicrosPerCall);
