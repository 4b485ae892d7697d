using System.Globalization;
using System.Net;
using Orchestrator.Testing.Hosting;

namespace Orchestrator.Testing.Containers;

// A real OCI registry for a test: Debian's `docker-registry serve` on a free loopback port, its storage in a
// temp directory. Loopback registries are marked insecure in scripts/podman/registries.conf, so podman pushes
// to it and pulls from it over plain HTTP.
//
//   await using var registry = await LocalRegistry.StartAsync();
//   var image = await TestImages.BusyboxAsync(registry);           // 127.0.0.1:PORT/test/busybox@sha256:...
public sealed class LocalRegistry : IAsyncDisposable
{
    private ChildProcess? _process;

    private LocalRegistry(string directory, int port)
    {
        Directory = directory;
        Port = port;
    }

    public string Directory { get; }

    public int Port { get; }

    // How image references name it: 127.0.0.1:PORT.
    public string Host => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    public Uri Url => new($"http://{Host}/");

    public string Log => _process?.Log ?? "";

    public static async Task<LocalRegistry> StartAsync(TimeSpan? deadline = null)
    {
        var registry = new LocalRegistry(System.IO.Directory.CreateTempSubdirectory("orchestrator-registry-").FullName, FreePort.Next());
        try
        {
            await registry.RestartAsync(deadline);
            return registry;
        }
        catch
        {
            await registry.DisposeAsync();
            throw;
        }
    }

    // Starts it (again, after StopAsync) on the same port with the same storage.
    public async Task RestartAsync(TimeSpan? deadline = null)
    {
        if (_process is { HasExited: false }) return;
        var config = Path.Combine(Directory, "config.yml");
        await File.WriteAllTextAsync(config, Config(Path.Combine(Directory, "storage"), Host));
        _process = ChildProcess.Start(new ProcessSpec("docker-registry", ["serve", config]) { Name = $"docker-registry:{Port}" });
        try
        {
            await _process.WaitForHttpAsync(new Uri(Url, "/v2/").ToString(), deadline ?? TimeSpan.FromSeconds(30));
        }
        catch
        {
            await _process.DisposeAsync();
            _process = null;
            throw;
        }
    }

    public async Task StopAsync()
    {
        if (_process is null) return;
        await _process.DisposeAsync();
        _process = null;
    }

    // The manifest digest the registry serves for repository:tag, or null when it has no such tag.
    public async Task<string?> DigestOfAsync(string repository, string tag)
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(10) };
        using var request = new HttpRequestMessage(HttpMethod.Head, $"/v2/{repository}/manifests/{tag}");
        request.Headers.Accept.ParseAdd("application/vnd.oci.image.manifest.v1+json");
        request.Headers.Accept.ParseAdd("application/vnd.docker.distribution.manifest.v2+json");
        using var response = await http.SendAsync(request);
        if (response.StatusCode == HttpStatusCode.NotFound) return null;
        response.EnsureSuccessStatusCode();
        return response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.First() : null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }

    // The distribution registry's configuration: loopback only, deletes allowed, no auth (tests and the local
    // cluster only; a vendor's registry has TLS and credentials).
    public static string Config(string storage, string address) => $"""
        version: 0.1
        log:
          level: warn
        storage:
          filesystem:
            rootdirectory: {storage}
          delete:
            enabled: true
        http:
          addr: {address}
        """;
}
