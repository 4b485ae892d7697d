using System.Runtime.InteropServices;

namespace Orchestrator.Agent.Workloads.Process;

// SIGTERM asks a child to stop gracefully; .NET itself only offers SIGKILL (Process.Kill).
internal static class Signals
{
    private const int SigTerm = 15;

    public static void Terminate(int pid)
    {
        if (OperatingSystem.IsWindows()) return;
        _ = kill(pid, SigTerm);
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code enabled for one call.
    private static extern int kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
