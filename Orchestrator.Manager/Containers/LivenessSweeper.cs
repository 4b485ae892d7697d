using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Containers;

// The liveness rule, apart from any timer: healthy -> unhealthy after 2 missed heartbeat intervals,
// -> lost after 3 (heartbeats turn containers healthy again). One Lua script per pass.
public sealed class LivenessSweeper(IConnectionMultiplexer redis, TimeProvider time, IOptions<ManagerOptions> options, FleetChanges? fleet = null)
{
    public const int UnhealthyAfterMissed = 2;
    public const int LostAfterMissed = 3;

    // Startup grace: a manager that was down (or is new) has not been listening; a stale heartbeat says
    // nothing about the container until one full lost window has passed since this process started.
    private readonly DateTimeOffset _startedAt = time.GetUtcNow();

    public TimeSpan LostAfter => options.Value.HeartbeatInterval * LostAfterMissed;

    public bool InStartupGrace => time.GetUtcNow() - _startedAt < LostAfter;

    // Containers per sweep script: one script blocks Redis while it runs, so a mass disconnect is
    // judged in slices of this many instead of one long script.
    internal const int SweepBatch = 500;

    public async Task<IReadOnlyList<StatusChange>> SweepAsync()
    {
        var interval = options.Value.HeartbeatInterval;
        // In grace, transitions stop at unhealthy (a lost-after no age reaches); containers already lost stay lost.
        var lostAfterMs = InStartupGrace ? long.MaxValue / 4 : (long)LostAfter.TotalMilliseconds;
        var unhealthyAfterMs = (long)(interval * UnhealthyAfterMissed).TotalMilliseconds;
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var db = redis.GetDatabase();
        // The script is given the hash of every container it judges, so the stale ones are read first, every
        // shard's in one pipelined batch (the usual answer, none, costs these reads); the script re-checks
        // each from its own hash. One script per shard and batch: a shard's keys share one slot.
        var reads = ContainerShards.All.Select(shard => (shard, stale: db.SortedSetRangeByScoreAsync(RedisKeys.HeartbeatIndex(shard),
            double.NegativeInfinity, now - unhealthyAfterMs, Exclude.Stop))).ToList();
        var changes = new List<StatusChange>();
        foreach (var (shard, read) in reads)
        {
            foreach (var batch in (await read).Select(id => id.ToString()).Chunk(SweepBatch))
            {
                RedisKey[] keys = [RedisKeys.HeartbeatIndex(shard), RedisKeys.ContainerTotals(shard), .. batch.Select(RedisKeys.Container)];
                var args = new SweepArgs(Format(now), Format(unhealthyAfterMs), Format(lostAfterMs), batch);
                var result = (RedisResult[])(await db.ScriptEvaluateAsync(ContainerScripts.Sweep, keys,
                    [PackedArguments.Pack(args, PackedArgumentsJsonContext.Default.SweepArgs)]))!;
                for (var i = 0; i + 1 < result.Length; i += 2) changes.Add(new StatusChange((string)result[i]!, (string)result[i + 1]!));
            }
        }
        if (changes.Count > 0) fleet?.Wrote();
        return changes;
    }

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
