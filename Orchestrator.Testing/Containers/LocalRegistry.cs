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

    // The login a requireLogin registry takes (a test password: its bcrypt hash is in LoginHtpasswd), else null.
    public (string User, string Password)? Credentials { get; private init; }

    public const string LoginUser = "vendor";
    public const string LoginPassword = "orchestrator-test-pull-pass";
    private const string LoginHtpasswd = "vendor:$2b$10$i.vC0hWrp8qmJwxYtkzLv.6yzMXSDbG9GsvCiFLgLMx9c3zOzfJRi";

    // requireLogin: the registry answers only basic auth with Credentials (as a vendor's private registry does).
    public static async Task<LocalRegistry> StartAsync(TimeSpan? deadline = null, bool requireLogin = false)
    {
        var registry = new LocalRegistry(System.IO.Directory.CreateTempSubdirectory("orchestrator-registry-").FullName, FreePort.Next())
        {
            Credentials = requireLogin ? (LoginUser, LoginPassword) : null,
        };
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
        var text = Config(Path.Combine(Directory, "storage"), Host);
        if (Credentials is not null)
        {
            var htpasswd = Path.Combine(Directory, "htpasswd");
            await File.WriteAllTextAsync(htpasswd, LoginHtpasswd + "\n");
            text += $"\nauth:\n  htpasswd:\n    realm: test\n    path: {htpasswd}\n";
        }
        await File.WriteAllTextAsync(config, text);
        _process = ChildProcess.Start(new ProcessSpec("docker-registry", ["serve", config]) { Name = $"docker-registry:{Port}" });
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            if (Credentials is { } login)
                client.DefaultRequestHeaders.Authorization = new("Basic", Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{login.User}:{login.Password}")));
            await _process.WaitForHttpAsync(new Uri(Url, "/v2/").ToString(), deadline ?? TimeSpan.FromSeconds(30), client);
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
