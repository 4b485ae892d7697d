using System.Diagnostics;
using Orchestrator.Bench.Hosting;

namespace Orchestrator.Bench.Measurement;

// Average cores each process kept busy between Start and Stop (1.0 = one core of the two): the
// server, Redis and the simulator all share this machine, so each figure comes with its split.
public sealed class CpuMeter
{
    private readonly int _server;
    private readonly int? _redis;
    private readonly double _serverStart, _redisStart, _simulatorStart;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public CpuMeter(int serverPid, int? redisPid)
    {
        (_server, _redis) = (serverPid, redisPid);
        _serverStart = ProcStats.CpuSeconds(serverPid);
        _redisStart = redisPid is { } r ? ProcStats.CpuSeconds(r) : 0;
        _simulatorStart = ProcStats.SelfCpuSeconds();
    }

    public CpuShare Stop()
    {
        var seconds = _clock.Elapsed.TotalSeconds;
        double Cores(double now, double start) => Math.Round((now - start) / seconds, 2);
        return new CpuShare(Cores(ProcStats.CpuSeconds(_server), _serverStart),
            _redis is { } r ? Cores(ProcStats.CpuSeconds(r), _redisStart) : 0,
            Cores(ProcStats.SelfCpuSeconds(), _simulatorStart));
    }
}

public sealed record CpuShare(double ServerCores, double RedisCores, double SimulatorCores);
