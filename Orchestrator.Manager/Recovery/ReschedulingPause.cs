using System.Globalization;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Recovery;

// Mass-disconnect safety. When more than half of all containers went lost within one lost window, the
// fault is more likely on the manager's side (its network, its Redis) than in every customer's at once:
// rescheduling pauses. It resumes once no more than half are lost. Kept in Redis so every replica's
// /api/v1/cluster/status shows it and a new liveness leader inherits it.
public sealed class ReschedulingPause(IConnectionMultiplexer redis, ILogger<ReschedulingPause> logger, Events.EventLog events)
{
    public sealed record Pause(string Reason, DateTimeOffset Since);

    public async Task<Pause?> ReadAsync()
    {
        var fields = await redis.GetDatabase().HashGetAllAsync(RedisKeys.ReschedulingPause);
        if (fields.Length == 0) return null;
        var map = fields.ToDictionary(f => f.Name.ToString(), f => f.Value.ToString());
        var since = long.TryParse(map.GetValueOrDefault("since"), CultureInfo.InvariantCulture, out var ms) ? ms : 0;
        return new Pause(map.GetValueOrDefault("reason") ?? "", DateTimeOffset.FromUnixTimeMilliseconds(since));
    }

    // Decides for this pass (leader only) and stores the decision. lostAt: every lost container's lost_at.
    public async Task<Pause?> EvaluateAsync(int totalContainers, IReadOnlyCollection<DateTimeOffset> lostAt, DateTimeOffset now, TimeSpan window)
    {
        var current = await ReadAsync();
        var recent = lostAt.Count(at => now - at <= window);
        if (current is null && totalContainers > 0 && recent * 2 > totalContainers)
        {
            var pause = new Pause($"{recent} of {totalContainers} containers went lost within {window.TotalSeconds:0.#}s: " +
                "assuming the fault is on the manager's side; rescheduling paused until no more than half are lost", now);
            await redis.GetDatabase().HashSetAsync(RedisKeys.ReschedulingPause,
                [new("reason", pause.Reason), new("since", now.ToUnixTimeMilliseconds())]);
            logger.LogWarning("Rescheduling paused: {Reason}", pause.Reason);
            events.ReschedulingPaused(pause.Reason);
            return pause;
        }
        if (current is not null && lostAt.Count * 2 <= totalContainers)
        {
            await redis.GetDatabase().KeyDeleteAsync(RedisKeys.ReschedulingPause);
            logger.LogWarning("Rescheduling resumed: {Lost} of {Total} containers lost", lostAt.Count, totalContainers);
            events.ReschedulingResumed();
            return null;
        }
        return current;
    }
}
