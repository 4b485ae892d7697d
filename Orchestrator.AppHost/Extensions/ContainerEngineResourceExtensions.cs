using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Orchestrator.AppHost.Extensions;

// What the local cluster offers container agents: a loopback OCI registry to push images to, and a container
// engine the nodes reach through DOCKER_HOST. Null parts are absent (not installed, or switched off).
public sealed record LocalContainerEngine(string? RegistryHost, string? DockerHost);

public static class ContainerEngineResourceExtensions
{
    // Run mode only (the publish manifest describes what a vendor deploys, not this developer kit):
    //   registry: Debian's `docker-registry serve` on 127.0.0.1:LocalCluster:RegistryPort (5000), its storage under
    //             .data/registry; images pushed there (samples/build-trading-bot-image.sh) are what nodes pull;
    //   podman:   `podman system service` on a unix socket of this run, with scripts/podman's configuration (runc,
    //             ulimits, the loopback registry without TLS); nodes get it as DOCKER_HOST.
    // Each only where its program is installed (scripts/install-prerequisites.sh installs both); switched off
    // with LocalCluster:Registry=false or LocalCluster:Podman=false. Nothing waits for either: a node without a
    // working engine runs without the `container` capability.
    public static LocalContainerEngine AddLocalContainerEngine(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsRunMode) return new LocalContainerEngine(null, null);
        var podmanConfig = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "scripts", "podman"));
        return new LocalContainerEngine(builder.AddLocalRegistry("registry"), builder.AddPodmanService("podman", podmanConfig));
    }

    private static string? AddLocalRegistry(this IDistributedApplicationBuilder builder, string name)
    {
        if (!builder.Configuration.GetValue("LocalCluster:Registry", true) || RedisResourceExtensions.FindOnPath("docker-registry") is null) return null;
        var port = builder.Configuration.GetValue("LocalCluster:RegistryPort", 5000);
        var directory = Directory.CreateDirectory(Path.GetFullPath(builder.Configuration["LocalCluster:RegistryDirectory"]
            ?? Path.Combine(builder.AppHostDirectory, ".data", name))).FullName;
        var host = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
        var config = Path.Combine(directory, "config.yml");
        File.WriteAllText(config, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {Path.Combine(directory, "storage")}
              delete:
                enabled: true
            http:
              addr: {host}
            """);
        builder.AddExecutable(name, "docker-registry", directory, "serve", config)
            .WithHttpEndpoint(port: port, targetPort: port, isProxied: false)
            .WithHttpHealthCheck("/v2/");
        return host;
    }

    private static string? AddPodmanService(this IDistributedApplicationBuilder builder, string name, string configDirectory)
    {
        if (!builder.Configuration.GetValue("LocalCluster:Podman", true) || RedisResourceExtensions.FindOnPath("podman") is null) return null;
        // Per run, short (a unix socket path has 108 bytes at most) and never shared with another AppHost.
        var socket = Path.Combine(Directory.CreateTempSubdirectory("orchestrator-podman-").FullName, "podman.sock");
        var healthCheck = $"{name}_ping";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheck, _ => new DockerPingHealthCheck(socket), failureStatus: null, tags: null));
        builder.AddExecutable(name, "podman", Path.GetDirectoryName(socket)!, "system", "service", "--time=0", $"unix://{socket}")
            .WithEnvironment("CONTAINERS_CONF", Path.Combine(configDirectory, "containers.conf"))
            .WithEnvironment("CONTAINERS_REGISTRIES_CONF", Path.Combine(configDirectory, "registries.conf"))
            .WithHealthCheck(healthCheck);
        return $"unix://{socket}";
    }
}
