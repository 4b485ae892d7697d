using System.Net;
using System.Net.Sockets;
using Orchestrator.Testing.Hosting;

namespace Orchestrator.Testing.Containers;

// A real Docker Engine API for a test: `podman system service --time=0 unix:///tmp/.../podman.sock`, with the
// kit's podman configuration. A node given DockerHost (DOCKER_HOST) drives it exactly as it would Docker.
// StopAsync() then RestartAsync() serves the same socket again: the engine going away and coming back, while the
// containers it started keep running (conmon holds them, not the service).
//
//   await using var podman = await PodmanService.StartAsync();
//   node.Environment["DOCKER_HOST"] = podman.DockerHost;           // or podman.NodeEnvironment
//   using var docker = podman.CreateClient();                     // raw Engine API: docker.GetAsync("containers/json")
public sealed class PodmanService : IAsyncDisposable
{
    // The Engine API version every Docker since 20.10 and podman 4 answer; paths of CreateClient are relative to it.
    public const string ApiVersion = "v1.41";

    private ChildProcess? _process;

    private PodmanService(string directory) => Directory = directory;

    public string Directory { get; }

    public string SocketPath => Path.Combine(Directory, "podman.sock");

    // The standard variable's value, as a node reads DOCKER_HOST.
    public string DockerHost => $"unix://{SocketPath}";

    // What a node (or any podman CLI) needs to use this engine: DOCKER_HOST plus podman's configuration.
    public IReadOnlyDictionary<string, string> NodeEnvironment =>
        new Dictionary<string, string>(PodmanConfig.Environment) { ["DOCKER_HOST"] = DockerHost };

    public bool IsRunning => _process is { HasExited: false };

    public string Log => _process?.Log ?? "";

    public static async Task<PodmanService> StartAsync(TimeSpan? deadline = null)
    {
        // Short: a unix socket path is limited to 108 bytes.
        var service = new PodmanService(System.IO.Directory.CreateTempSubdirectory("orpod-").FullName);
        try
        {
            await service.RestartAsync(deadline);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    // Starts the service (again, after StopAsync) on the same socket.
    public async Task RestartAsync(TimeSpan? deadline = null)
    {
        if (IsRunning) return;
        if (_process is not null) await _process.DisposeAsync();
        File.Delete(SocketPath);
        _process = ChildProcess.Start(new ProcessSpec("podman", ["system", "service", "--time=0", DockerHost])
        {
            Name = $"podman-service:{Path.GetFileName(Directory)}",
            Environment = PodmanConfig.Environment,
            StopGrace = TimeSpan.FromSeconds(5),
        });
        using var client = CreateClient(TimeSpan.FromSeconds(2));
        try
        {
            await Deadline.UntilAsync(async () =>
            {
                _process.ThrowIfExited();
                return await PingAsync(client);
            }, deadline ?? TimeSpan.FromSeconds(30), $"podman service on {SocketPath} to answer /_ping");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\n" + _process.Tail(), ex);
        }
    }

    // Kills the service at once (the engine crashing); its containers keep running.
    public async Task StopAsync()
    {
        if (_process is null) return;
        _process.Kill();
        await _process.DisposeAsync();
        _process = null;
    }

    // An HttpClient on the Engine API over the socket, BaseAddress http://podman/v1.41/.
    public HttpClient CreateClient(TimeSpan? timeout = null) => CreateClient(SocketPath, timeout);

    public static HttpClient CreateClient(string socketPath, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancel) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancel);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler)
        {
            BaseAddress = new Uri($"http://podman/{ApiVersion}/"),
            Timeout = timeout ?? TimeSpan.FromSeconds(60),
        };
    }

    public async Task<bool> PingAsync(HttpClient? client = null)
    {
        using var own = client is null ? CreateClient(TimeSpan.FromSeconds(2)) : null;
        try
        {
            using var response = await (client ?? own!).GetAsync("/_ping");
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or TaskCanceledException)
        {
            return false;
        }
    }

    // Force-removes containers carrying label (e.g. "orchestrator.node=<id>") and their anonymous volumes: a
    // test's cleanup, since containers outlive both the node and this service by design.
    public async Task RemoveContainersAsync(string label)
    {
        var ids = (await PodmanConfig.PodmanAsync(["ps", "-aq", "--filter", $"label={label}"], TimeSpan.FromSeconds(30)))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length > 0) await PodmanConfig.PodmanAsync(["rm", "-f", "-v", .. ids], TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
