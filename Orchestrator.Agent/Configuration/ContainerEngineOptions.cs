namespace Orchestrator.Agent.Configuration;

// The container engine `container` agents run on: DOCKER_HOST (Docker Engine, or Podman's compatible service),
// and REGISTRY_AUTH_FILE, a registry auth file in the standard config.json format, for private registries.
public sealed class ContainerEngineOptions
{
    public const string Section = "Containers";

    public const string DefaultHost = "unix:///var/run/docker.sock";

    public string DockerHost { get; set; } = DefaultHost;

    public string? RegistryAuthFile { get; set; }

    // How often a running container is inspected (and the engine's answer checked).
    public TimeSpan InspectPeriod { get; set; } = TimeSpan.FromSeconds(1);
}
