namespace Orchestrator.Bench.Hosting;

// Reads a process's memory and CPU time from /proc (Linux only, as the bench is).
public static class ProcStats
{
    private const double ClockTicksPerSecond = 100; // USER_HZ on every Linux this runs on

    public static long RssBytes(int pid)
    {
        foreach (var line in Read(pid, "status").Split('\n'))
        {
            if (!line.StartsWith("VmRSS:", StringComparison.Ordinal)) continue;
            var kib = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]);
            return kib * 1024;
        }
        return 0;
    }

    // utime + stime, fields 14 and 15 of /proc/<pid>/stat (counted after the parenthesised name).
    public static double CpuSeconds(int pid)
    {
        var stat = Read(pid, "stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / ClockTicksPerSecond;
    }

    public static double SelfCpuSeconds() => CpuSeconds(Environment.ProcessId);

    private static string Read(int pid, string file)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/{file}");
        }
        catch (IOException)
        {
            throw new InvalidOperationException($"process {pid} is no longer running");
        }
    }
}
