using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Liveness;

// The liveness rule, apart from any timer: healthy -> unhealthy after 2 missed heartbeat intervals,
// -> lost after 3 (heartbeats turn containers healthy again). One Lua script per pass.
public sealed class LivenessSweeper(IConnectionMultiplexer redis, TimeProvider time, IOptions<ManagerOptions> options)
{
    public const int UnhealthyAfterMissed = 2;
    public const int LostAfterMissed = 3;

    // Startup grace: a manager that was down (or is new) has not been listening; a stale heartbeat says
    // nothing about the container until one full lost window has passed since this process started.
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    public TimeSpan LostAfter => options.Value.HeartbeatInterval * LostAfterMissed;

    public bool InStartupGrace => time.GetUtcNow() - _startedAt < LostAfter;

    public async Task<IReadOnlyList<StatusChange>> SweepAsync()
    {
        var interval = options.Value.HeartbeatInterval;
        // In grace, transitions stop at unhealthy (a lost-after no age reaches); containers already lost stay lost.
        var lostAfterMs = InStartupGrace ? long.MaxValue / 4 : (long)LostAfter.TotalMilliseconds;
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(ContainerScripts.Sweep,
            [RedisKeys.HeartbeatIndex, RedisKeys.ContainerTotals],
            [RedisKeys.ContainerPrefix, time.GetUtcNow().ToUnixTimeMilliseconds(),
             (long)(interval * UnhealthyAfterMissed).TotalMilliseconds, lostAfterMs]))!;
        var changes = new List<StatusChange>(result.Length / 2);
        for (var i = 0; i + 1 < result.Length; i += 2) changes.Add(new StatusChange((string)result[i]!, (string)result[i + 1]!));
        return changes;
    }
}
