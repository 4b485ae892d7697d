using System.Globalization;

namespace Orchestrator.Agent.Readings;

// Real readings: the node's cgroup v2 when present (what a container is allowed), else the machine (/proc).
// CPU use is the delta since the previous sample, so the first sample after start covers the time since then.
public sealed class ResourceSampler
{
    private readonly string _cgroup;
    private readonly string _proc;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private (double Busy, double Total, long At)? _previous;

    public ResourceSampler(TimeProvider time, string rootDirectory = "/")
    {
        _time = time;
        _cgroup = Path.Combine(rootDirectory, "sys", "fs", "cgroup");
        _proc = Path.Combine(rootDirectory, "proc");
        lock (_gate) _previous = ReadCpu();
    }

    public bool UsesCgroup => File.Exists(Path.Combine(_cgroup, "cpu.stat")) && File.Exists(Path.Combine(_cgroup, "memory.current"));

    public ResourceReading Sample()
    {
        var (used, limit) = ReadMemory();
        return new ResourceReading(Environment.ProcessorCount, CpuPercent(), used, limit, ProcessCount());
    }

    private double CpuPercent()
    {
        lock (_gate)
        {
            var current = ReadCpu();
            var previous = _previous;
            _previous = current;
            if (current is null || previous is null) return 0;
            var total = current.Value.Total - previous.Value.Total;
            var busy = current.Value.Busy - previous.Value.Busy;
            return total <= 0 ? 0 : Math.Round(Math.Clamp(busy / total * 100, 0, 100), 1);
        }
    }

    // Busy and total in comparable units: cgroup usage_usec against wall-clock microseconds times CPUs,
    // or /proc/stat jiffies (busy = all but idle and iowait).
    private (double Busy, double Total, long At)? ReadCpu()
    {
        var now = _time.GetTimestamp();
        if (UsesCgroup)
        {
            var usage = KeyValue(Path.Combine(_cgroup, "cpu.stat"), "usage_usec");
            var wallMicros = _time.GetElapsedTime(0, now).TotalMicroseconds * Environment.ProcessorCount;
            return usage is null ? null : (usage.Value, wallMicros, now);
        }
        var line = ReadLines(Path.Combine(_proc, "stat")).FirstOrDefault(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        if (line is null) return null;
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var idle = fields[3] + (fields.Length > 4 ? fields[4] : 0);
        var sum = fields.Take(8).Sum();
        return (sum - idle, sum, now);
    }

    private (long Used, long Limit) ReadMemory()
    {
        var totalKb = KeyValue(Path.Combine(_proc, "meminfo"), "MemTotal:") ?? 0;
        var availableKb = KeyValue(Path.Combine(_proc, "meminfo"), "MemAvailable:") ?? 0;
        if (UsesCgroup)
        {
            var current = long.Parse(File.ReadAllText(Path.Combine(_cgroup, "memory.current")).Trim(), CultureInfo.InvariantCulture);
            var max = ReadText(Path.Combine(_cgroup, "memory.max"));
            var limit = max is null or "max" ? (long)totalKb * 1024 : long.Parse(max, CultureInfo.InvariantCulture);
            return (current, limit);
        }
        return ((long)(totalKb - availableKb) * 1024, (long)totalKb * 1024);
    }

    private int ProcessCount()
    {
        var procs = Path.Combine(_cgroup, "cgroup.procs");
        if (UsesCgroup && File.Exists(procs)) return ReadLines(procs).Count(l => l.Length > 0);
        return Directory.Exists(_proc)
            ? Directory.EnumerateDirectories(_proc).Count(d => Path.GetFileName(d).All(char.IsAsciiDigit))
            : 0;
    }

    private static double? KeyValue(string path, string key) =>
        ReadLines(path).Where(l => l.StartsWith(key + (key.EndsWith(':') ? "" : " "), StringComparison.Ordinal))
            .Select(l => (double?)double.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture))
            .FirstOrDefault();

    private static string? ReadText(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;

    private static IEnumerable<string> ReadLines(string path) => File.Exists(path) ? File.ReadAllLines(path) : [];
}
