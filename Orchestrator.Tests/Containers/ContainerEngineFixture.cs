using Orchestrator.Testing.Containers;

namespace Orchestrator.Tests.Containers;

// The kit's container engine for one test class (IClassFixture): a real podman service (PodmanService), a real
// loopback registry (LocalRegistry) and a busybox image pushed there (TestImages), so a node really pulls it.
// Unavailable says why not when podman, docker-registry or busybox-static is not installed.
public sealed class ContainerEngineFixture : IAsyncLifetime
{
    private PodmanService? _podman;
    private LocalRegistry? _registry;
    private PushedImage? _busybox;
    private readonly List<string> _nodes = [];

    public string? Unavailable { get; private set; }

    public PodmanService Podman => _podman ?? throw new InvalidOperationException(Unavailable ?? "not started");

    public LocalRegistry Registry => _registry ?? throw new InvalidOperationException(Unavailable ?? "not started");

    public PushedImage Busybox => _busybox ?? throw new InvalidOperationException(Unavailable ?? "not started");

    public string DockerHost => Podman.DockerHost;

    // The podman CLI on the same engine storage the service uses: what a test inspects containers with (output trimmed).
    public async Task<string> PodmanAsync(params string[] arguments) => (await PodmanConfig.PodmanAsync(arguments, TimeSpan.FromSeconds(60))).Trim();

    // A fresh node name (CONTAINER_NAME), remembered so the fixture removes that node's containers and volumes.
    public string NodeName(string prefix = "node")
    {
        var name = $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 9)];
        Track(name);
        return name;
    }

    // A node name given elsewhere (e.g. a ProcessCluster's orchestrator-N-cluster) whose containers to remove.
    public void Track(string nodeName)
    {
        lock (_nodes) _nodes.Add(nodeName);
    }

    public async Task InitializeAsync()
    {
        Unavailable = PodmanConfig.Unavailable();
        if (Unavailable is not null) return;
        _registry = await LocalRegistry.StartAsync();
        _busybox = await TestImages.BusyboxAsync(_registry);
        _podman = await PodmanService.StartAsync();
    }

    public async Task DisposeAsync()
    {
        // Containers outlive the service by design: remove what this class's nodes left (containers, then volumes),
        // by their node label only, since other tests on the machine share the engine's storage.
        if (_podman is not null)
        {
            foreach (var node in _nodes)
            {
                try
                {
                    await _podman.RemoveContainersAsync($"orchestrator.node={node}");
                    var volumes = (await PodmanAsync("volume", "ls", "-q", "--filter", $"label=orchestrator.node={node}"))
                        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    if (volumes.Length > 0) await PodmanAsync(["volume", "rm", "-f", .. volumes]);
                }
                catch (InvalidOperationException)
                {
                }
            }
            await _podman.DisposeAsync();
        }
        if (_registry is not null) await _registry.DisposeAsync();
    }
}
