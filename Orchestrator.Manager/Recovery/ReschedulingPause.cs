using System.Globalization;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Recovery;

// Rescheduling held, fleet-wide, for one of two reasons, kept in Redis so every replica's /api/v1/cluster/status
// shows it and a new liveness leader inherits it:
// - automatic (mass-disconnect safety): more than half of all containers went lost within one lost window, so
//   the fault is more likely on the manager's side (its network, its Redis) than in every customer's at once.
//   It lifts once no more than half are lost.
// - by an operator (POST …/rescheduling/pause, like Buildkite's paused agents): with a note and an optional end;
//   it lifts when resumed or at expires_at. Pausing while an automatic pause holds takes it over (extends it).
// An operator's resume also lifts an automatic pause, and holds off a new automatic one for one lost window, so
// the very losses that caused it do not pause again at the next pass.
public sealed class ReschedulingPause(IConnectionMultiplexer redis, ILogger<ReschedulingPause> logger, Events.EventLog events)
{
    public const string Automatic = "automatic";
    public const string Operator = "operator";

    public sealed record Pause(string Reason, DateTimeOffset Since, string Kind = Automatic, string By = Automatic, string? Note = null,
        DateTimeOffset? Until = null)
    {
        public ReschedulingPauseView ToView() => new(Kind, Reason, By, Note, Since, Until);
    }

    public async Task<Pause?> ReadAsync()
    {
        var fields = await redis.GetDatabase().HashGetAllAsync(RedisKeys.ReschedulingPause);
        if (fields.Length == 0) return null;
        var map = fields.ToDictionary(f => f.Name.ToString(), f => f.Value.ToString());
        return new Pause(map.GetValueOrDefault("reason") ?? "", Time(map.GetValueOrDefault("since")) ?? DateTimeOffset.UnixEpoch,
            map.GetValueOrDefault("kind") is { Length: > 0 } kind ? kind : Automatic,
            map.GetValueOrDefault("by") is { Length: > 0 } by ? by : Automatic,
            map.GetValueOrDefault("note") is { Length: > 0 } note ? note : null,
            Time(map.GetValueOrDefault("until")));
    }

    // An operator's pause, or the extension of an automatic one: replaces whatever holds now.
    public async Task<Pause> PauseAsync(string actor, string? note, DateTimeOffset? until, DateTimeOffset now)
    {
        var current = await ReadAsync();
        var pause = new Pause($"paused by {actor}" + (note is { Length: > 0 } ? $": {note}" : ""), current?.Since ?? now, Operator, actor, note, until);
        await WriteAsync(pause);
        logger.LogWarning("Rescheduling paused by {Actor} until {Until}: {Note}", actor, until?.ToString("O") ?? "resumed", note ?? "");
        if (current is null) events.ReschedulingPaused(pause.Reason);
        return pause;
    }

    // Lifts any pause; false when none held. holdOff: how long no automatic pause may follow.
    public async Task<bool> ResumeAsync(string actor, TimeSpan holdOff)
    {
        var db = redis.GetDatabase();
        await db.StringSetAsync(RedisKeys.ReschedulingResumed, actor, holdOff);
        if (!await db.KeyDeleteAsync(RedisKeys.ReschedulingPause)) return false;
        logger.LogWarning("Rescheduling resumed by {Actor}", actor);
        events.ReschedulingResumed();
        return true;
    }

    // Decides for this pass (leader only) and stores the decision. lostAt: every lost container's lost_at.
    public async Task<Pause?> EvaluateAsync(int totalContainers, IReadOnlyCollection<DateTimeOffset> lostAt, DateTimeOffset now, TimeSpan window)
    {
        var current = await ReadAsync();
        if (current is { Kind: Operator })
        {
            if (current.Until is not { } until || until > now) return current;
            await redis.GetDatabase().KeyDeleteAsync(RedisKeys.ReschedulingPause);
            logger.LogWarning("Rescheduling resumed: {Actor}'s pause ended at {Until}", current.By, until.ToString("O"));
            events.ReschedulingResumed();
            current = null;
        }
        var recent = lostAt.Count(at => now - at <= window);
        if (current is null && totalContainers > 0 && recent * 2 > totalContainers
            && !await redis.GetDatabase().KeyExistsAsync(RedisKeys.ReschedulingResumed))
        {
            var pause = new Pause($"{recent} of {totalContainers} containers went lost within {window.TotalSeconds:0.#}s: " +
                "assuming the fault is on the manager's side; rescheduling paused until no more than half are lost", now);
            await WriteAsync(pause);
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

    private async Task WriteAsync(Pause pause)
    {
        var db = redis.GetDatabase();
        await db.KeyDeleteAsync(RedisKeys.ReschedulingPause);
        await db.HashSetAsync(RedisKeys.ReschedulingPause,
        [
            new("reason", pause.Reason), new("since", pause.Since.ToUnixTimeMilliseconds()), new("kind", pause.Kind), new("by", pause.By),
            new("note", pause.Note ?? ""), new("until", pause.Until?.ToUnixTimeMilliseconds() ?? 0),
        ]);
    }

    private static DateTimeOffset? Time(string? ms) =>
        long.TryParse(ms, CultureInfo.InvariantCulture, out var value) && value > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(value) : null;
}
