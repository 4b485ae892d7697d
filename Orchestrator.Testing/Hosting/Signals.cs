using System.Runtime.InteropServices;

namespace Orchestrator.Testing.Hosting;

// .NET can only SIGKILL another process; a graceful stop needs SIGTERM from libc, a freeze SIGSTOP and SIGCONT.
internal static class Signals
{
    private const int SigTerm = 15;
    private const int SigStop = 19;
    private const int SigCont = 18;

    public static bool Terminate(int pid) => !OperatingSystem.IsWindows() && kill(pid, SigTerm) == 0;

    public static bool Stop(int pid) => OperatingSystem.IsLinux() && kill(pid, SigStop) == 0;

    public static bool Continue(int pid) => OperatingSystem.IsLinux() && kill(pid, SigCont) == 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
