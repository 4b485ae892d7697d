using System.Diagnostics;
using Orchestrator.Bench.Hosting;

namespace Orchestrator.Bench.Measurement;

// Average cores each process kept busy between Start and Stop (1.0 = one core of the two): the
// server, Redis and the simulator all share this machine, so each figure comes with its split.
public sealed class CpuMeter
{
    private readonly int _server;
    private readonly IReadOnlyList<int> _redis;
    private readonly double _serverStart, _redisStart, _simulatorStart;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    // redisPids: every redis-server of the run (a Redis Cluster has several), summed; none for the ceiling.
    public CpuMeter(int serverPid, IReadOnlyList<int>? redisPids)
    {
        (_server, _redis) = (serverPid, redisPids ?? []);
        _serverStart = ProcStats.CpuSeconds(serverPid);
        _redisStart = RedisSeconds();
        _simulatorStart = ProcStats.SelfCpuSeconds();
    }

    public CpuShare Stop()
    {
        var seconds = _clock.Elapsed.TotalSeconds;
        double Cores(double now, double start) => Math.Round((now - start) / seconds, 2);
        return new CpuShare(Cores(ProcStats.CpuSeconds(_server), _serverStart),
            _redis.Count > 0 ? Cores(RedisSeconds(), _redisStart) : 0,
            Cores(ProcStats.SelfCpuSeconds(), _simulatorStart));
    }

    private double RedisSeconds() => _redis.Sum(ProcStats.CpuSeconds);
}

public sealed record CpuShare(double ServerCores, double RedisCores, double SimulatorCores);
