using System.Diagnostics;
using System.Globalization;

namespace Orchestrator.Tests.Agent.Containers;

// TEMPORARY, to be swapped on merge for Orchestrator.Testing/Containers (PodmanService, LocalRegistry, TestImages)
// from the engine branch: one real Podman service on a temp socket (runc, the machine's ulimits, its own storage),
// a loopback docker-registry, and a busybox image built with `podman import` from busybox-static and pushed there.
// One per test class (IClassFixture); Unavailable says why not when podman or the registry is not installed.
public sealed class DriverTestEngine : IAsyncLifetime
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private Process? _service;
    private Process? _registry;

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "orch-drv-" + Guid.NewGuid().ToString("N")[..8]);

    public string? Unavailable { get; private set; }

    public string SocketPath => Path.Combine(Directory, "docker.sock");

    public string DockerHost => $"unix://{SocketPath}";

    public int RegistryPort { get; private set; }

    public string Repository => $"127.0.0.1:{RegistryPort.ToString(CultureInfo.InvariantCulture)}/orchestrator-test/busybox";

    public string Digest { get; private set; } = "";

    public string DigestReference => $"{Repository}@{Digest}";

    public string TagReference => $"{Repository}:1";

    public async Task InitializeAsync()
    {
        Unavailable = new[] { "podman", "docker-registry" }.FirstOrDefault(tool => !OnPath(tool)) is { } missing
            ? $"{missing} is not installed (scripts/install-prerequisites.sh installs it)"
            : !File.Exists("/bin/busybox") ? "busybox-static is not installed" : null;
        if (Unavailable is not null) return;
        System.IO.Directory.CreateDirectory(Directory);
        await File.WriteAllTextAsync(Path.Combine(Directory, "containers.conf"),
            "[containers]\ndefault_ulimits = [\"nofile=20000:20000\", \"nproc=4096:4096\"]\n[engine]\nruntime = \"runc\"\n");
        RegistryPort = FreePort.Next();
        await File.WriteAllTextAsync(Path.Combine(Directory, "registries.conf"),
            $"[[registry]]\nlocation = \"127.0.0.1:{RegistryPort}\"\ninsecure = true\n");
        await File.WriteAllTextAsync(Path.Combine(Directory, "registry.yml"),
            $"version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: {Directory}/registry\nhttp:\n  addr: 127.0.0.1:{RegistryPort}\n");
        _registry = Start("docker-registry", ["serve", Path.Combine(Directory, "registry.yml")]);
        await Testing.Deadline.UntilAsync(async () => await Answers($"http://127.0.0.1:{RegistryPort}/v2/"), Deadline, "the registry to answer");

        // A busybox rootfs from the machine's busybox-static: no image comes from the internet.
        var rootfs = Path.Combine(Directory, "rootfs");
        foreach (var dir in new[] { "bin", "tmp", "data", "dev", "proc", "sys" }) System.IO.Directory.CreateDirectory(Path.Combine(rootfs, dir));
        File.Copy("/bin/busybox", Path.Combine(rootfs, "bin", "busybox"));
        foreach (var applet in new[] { "sh", "sleep", "echo", "cat", "test", "dd", "true", "false", "ls", "touch", "rm", "tail" })
            File.CreateSymbolicLink(Path.Combine(rootfs, "bin", applet), "busybox");
        await RunAsync("tar", ["-C", rootfs, "-cf", Path.Combine(Directory, "busybox.tar"), "."]);
        await PodmanAsync("import", "--change", "CMD [\"/bin/sh\"]", Path.Combine(Directory, "busybox.tar"), TagReference);
        var digestFile = Path.Combine(Directory, "digest");
        await PodmanAsync("push", "--tls-verify=false", "--digestfile", digestFile, TagReference);
        Digest = (await File.ReadAllTextAsync(digestFile)).Trim();
        // Pulls go through the engine: start from an empty image store so the node really pulls.
        await PodmanAsync("rmi", "-f", TagReference);
        await StartServiceAsync();
    }

    public async Task StartServiceAsync()
    {
        _service = Start("podman", [.. Global, "system", "service", "--time=0", DockerHost]);
        await Testing.Deadline.UntilAsync(async () => await Answers("http://d/_ping", SocketPath), Deadline, "the podman service to answer");
    }

    public async Task StopServiceAsync()
    {
        if (_service is { HasExited: false } service)
        {
            service.Kill();
            await service.WaitForExitAsync();
        }
        File.Delete(SocketPath);
    }

    public Task<string> PodmanAsync(params string[] arguments) => RunAsync("podman", [.. Global, .. arguments]);

    public async Task DisposeAsync()
    {
        if (Unavailable is not null) return;
        await StopServiceAsync();
        try
        {
            await PodmanAsync("rm", "-af", "-t", "0");
            await PodmanAsync("volume", "prune", "-f");
        }
        catch (InvalidOperationException)
        {
        }
        if (_registry is { HasExited: false } registry) registry.Kill();
        try
        {
            System.IO.Directory.Delete(Directory, true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private string[] Global => ["--root", Path.Combine(Directory, "storage"), "--runroot", Path.Combine(Directory, "run"), "--storage-driver", "vfs",
        "--cgroup-manager", "cgroupfs"];

    private Dictionary<string, string> Environment => new()
    {
        ["CONTAINERS_CONF"] = Path.Combine(Directory, "containers.conf"),
        ["CONTAINERS_REGISTRIES_CONF"] = Path.Combine(Directory, "registries.conf"),
    };

    private Process Start(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var (k, v) in Environment) start.Environment[k] = v;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task<string> RunAsync(string file, string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in arguments) start.ArgumentList.Add(a);
        foreach (var (k, v) in Environment) start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Deadline);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited {process.ExitCode}: {await error}");
        return (await output).Trim();
    }

    private static async Task<bool> Answers(string url, string? socket = null)
    {
        var handler = new SocketsHttpHandler { UseProxy = false };
        if (socket is not null)
        {
            handler.ConnectCallback = async (_, token) =>
            {
                var s = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
                await s.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(socket), token);
                return new System.Net.Sockets.NetworkStream(s, true);
            };
        }
        using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(2) };
        try
        {
            return (await client.GetAsync(url)).IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private static bool OnPath(string tool) =>
        (System.Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, tool)));
}
