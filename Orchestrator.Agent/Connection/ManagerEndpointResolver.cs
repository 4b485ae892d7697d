namespace Orchestrator.Agent.Connection;

// As the seed does it: inside a container (/.dockerenv), 127.0.0.1/localhost is the container itself,
// so the manager on the host is reached through host.docker.internal. A container that cannot resolve
// that name (no extra_hosts: host-gateway, e.g. a CI sandbox) shares the host's network: keep loopback.
public sealed class ManagerEndpointResolver(IContainerProbe probe, ILogger<ManagerEndpointResolver> logger)
{
    public const string DockerHost = "host.docker.internal";

    private readonly Dictionary<Uri, Uri> _resolved = [];

    // Resolved once per endpoint: the HttpClient factory asks on every client it builds.
    public Uri Resolve(Uri endpoint)
    {
        lock (_resolved)
        {
            if (!_resolved.TryGetValue(endpoint, out var resolved)) _resolved[endpoint] = resolved = ResolveOnce(endpoint);
            return resolved;
        }
    }

    private Uri ResolveOnce(Uri endpoint)
    {
        if (!probe.IsInContainer || !IsLoopbackName(endpoint.Host)) return endpoint;
        if (!probe.Resolves(DockerHost))
        {
            logger.LogInformation("In a container, but {DockerHost} does not resolve: keeping {Endpoint}", DockerHost, endpoint);
            return endpoint;
        }
        return new UriBuilder(endpoint) { Host = DockerHost }.Uri;
    }

    private static bool IsLoopbackName(string host) =>
        host is "127.0.0.1" or "[::1]" or "::1" || host.Equals("localhost", StringComparison.OrdinalIgnoreCase);
}
