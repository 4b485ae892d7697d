using Orchestrator.Testing.Hosting;

namespace Orchestrator.Testing.Containers;

// The podman configuration every podman this kit runs gets (the service, `podman import`, `podman push`):
// scripts/podman/containers.conf (runc, ulimits under this machine's hard limit) and registries.conf
// (loopback registries without TLS), passed by variable so a machine's own /etc/containers does not matter.
public static class PodmanConfig
{
    public static string ContainersConf { get; } = Path.Combine(RepoPaths.Root, "scripts", "podman", "containers.conf");

    public static string RegistriesConf { get; } = Path.Combine(RepoPaths.Root, "scripts", "podman", "registries.conf");

    public static IReadOnlyDictionary<string, string> Environment { get; } = new Dictionary<string, string>
    {
        ["CONTAINERS_CONF"] = ContainersConf,
        ["CONTAINERS_REGISTRIES_CONF"] = RegistriesConf,
    };

    // Why container tests cannot run here, or null: for a [SkippableFact] outside CI, where
    // scripts/install-prerequisites.sh has installed all of it.
    public static string? Unavailable()
    {
        foreach (var tool in new[] { "podman", "docker-registry" })
        {
            if (!OnPath(tool)) return $"`{tool}` is not installed (scripts/install-prerequisites.sh installs it)";
        }
        if (!File.Exists(TestImages.Busybox)) return $"{TestImages.Busybox} (busybox-static) is not installed";
        return null;
    }

    // The podman CLI with this configuration; what it printed, or an exception naming the command and its output.
    public static async Task<string> PodmanAsync(IReadOnlyList<string> arguments, TimeSpan deadline)
    {
        var run = await ChildProcess.RunAsync(new ProcessSpec("podman", arguments) { Environment = Environment }, deadline);
        if (run.ExitCode != 0) throw new InvalidOperationException($"podman {string.Join(' ', arguments)}: {run}");
        return run.Output;
    }

    internal static bool OnPath(string tool) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin")
            .Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, tool)));
}
