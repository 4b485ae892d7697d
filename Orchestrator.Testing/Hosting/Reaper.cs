using System.Collections.Concurrent;
using System.Diagnostics;

namespace Orchestrator.Testing.Hosting;

// Every child still running when the test host or benchmark exits (a fixture whose cleanup failed,
// Ctrl+C, an exception) is killed then, so no redis-server or manager outlives the run.
internal static class Reaper
{
    private static readonly ConcurrentDictionary<Process, byte> Running = new();

    static Reaper() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    public static void Track(Process process) => Running[process] = 0;

    public static void Forget(Process process) => Running.TryRemove(process, out _);

    private static void KillAll()
    {
        foreach (var process in Running.Keys)
        {
            try
            {
                if (!process.HasExited) process.Kill(entireProcessTree: true);
            }
            catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
            }
        }
    }
}
