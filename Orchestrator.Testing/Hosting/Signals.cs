using System.Runtime.InteropServices;

namespace Orchestrator.Testing.Hosting;

// .NET can only SIGKILL another process; a graceful stop needs SIGTERM from libc.
internal static class Signals
{
    private const int SigTerm = 15;

    public static bool Terminate(int pid) => !OperatingSystem.IsWindows() && kill(pid, SigTerm) == 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
