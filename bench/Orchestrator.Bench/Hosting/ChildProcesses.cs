using System.Collections.Concurrent;
using System.Diagnostics;

namespace Orchestrator.Bench.Hosting;

// Every process the bench starts, killed on the way out if a scenario could not stop it itself
// (Ctrl+C, an exception), so no redis-server or manager outlives the run.
public static class ChildProcesses
{
    private static readonly ConcurrentDictionary<int, Process> Running = new();

    static ChildProcesses() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    public static void Track(Process process) => Running[process.Id] = process;

    public static void Forget(Process process) => Running.TryRemove(process.Id, out _);

    private static void KillAll()
    {
        foreach (var process in Running.Values)
        {
            try { if (!process.HasExited) process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { }
        }
    }
}
