using System.Runtime.InteropServices;
using Orchestrator.Testing.Hosting;

namespace Orchestrator.Bench.Reporting;

// The machine the figures came from, and how busy it was around the run (others' work distorts them).
public sealed record MachineInfo(int Cores, double MemoryGiB, string CpuModel, string Os, string Dotnet, string RedisVersion,
    string LoadAverageBefore, string LoadAverageAfter, string GitCommit, string Note)
{
    public const string SharedCoresNote =
        "The simulator, the manager (or the ceiling) and redis-server all run on this one machine and share its cores; " +
        "every figure includes that contention, and the CPU columns show who used what.";

    public static async Task<MachineInfo> ReadAsync()
    {
        var memoryKib = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        return new MachineInfo(Environment.ProcessorCount, Math.Round(long.Parse(memoryKib) / 1048576.0, 1), model,
            RuntimeInformation.OSDescription, RuntimeInformation.FrameworkDescription, await TryAsync("redis-server", ["--version"]),
            LoadAverage(), "", await TryAsync("git", ["rev-parse", "--short", "HEAD"]), SharedCoresNote);
    }

    public static string LoadAverage() => string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));

    private static async Task<string> TryAsync(string file, string[] arguments)
    {
        try
        {
            return (await ChildProcess.OutputOfAsync(file, arguments, TimeSpan.FromSeconds(10))).Trim();
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
