using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Workloads.Containers;

// The Docker Engine API at DOCKER_HOST (Docker, or Podman's `podman system service`), and the registry auth file.
public sealed class ContainerEngine : IDisposable
{
    private readonly DockerClient _client;

    public ContainerEngine(IOptions<ContainerEngineOptions> options)
    {
        Options = options.Value;
        _client = new DockerClientBuilder().WithEndpoint(new Uri(Options.DockerHost)).WithTimeout(TimeSpan.FromSeconds(100)).Build();
    }

    public ContainerEngineOptions Options { get; }

    public IDockerClient Client => _client;

    public string Host => Options.DockerHost;

    // Whether an engine has answered since the node started: once it has, its silence is an outage, not a missing engine.
    public bool EverAnswered { get; private set; }

    public async Task<string> PingAsync(CancellationToken cancellationToken)
    {
        var version = await _client.System.GetVersionAsync(cancellationToken);
        EverAnswered = true;
        return $"{version.Components?.FirstOrDefault()?.Name ?? "engine"} {version.Version} (API {version.APIVersion})";
    }

    // An error that means the engine did not answer at all (as opposed to answering with a refusal).
    public static bool IsUnreachable(Exception ex) =>
        ex is HttpRequestException or SocketException or IOException or TimeoutException or TaskCanceledException
        || ex.InnerException is { } inner && IsUnreachable(inner);

    // "No such container": Docker answers 404, Podman sometimes 500 with that cause.
    public static bool IsGone(Exception ex) =>
        ex is DockerContainerNotFoundException
        || ex is DockerApiException { ResponseBody: { } body } && body.Contains("no such container", StringComparison.OrdinalIgnoreCase);

    // Credentials for the image's registry from REGISTRY_AUTH_FILE (config.json: {"auths":{"host":{"auth":"base64(user:pass)"}}}).
    public AuthConfig? AuthFor(string repository)
    {
        if (Options.RegistryAuthFile is not { Length: > 0 } file || !File.Exists(file)) return null;
        return AuthFrom(File.ReadAllText(file), repository, "REGISTRY_AUTH_FILE");
    }

    // Credentials for the image's registry from a registry auth JSON (a file's text, or an image_pull_secret's value).
    public static AuthConfig? AuthFrom(string json, string repository, string source) =>
        Secrets.RegistryAuth.For(json, RegistryOf(repository), source) is { } found
            ? new AuthConfig { Username = found.Username, Password = found.Password, ServerAddress = found.Registry }
            : null;

    // The registry host of a repository: its first part when that looks like a host (has '.', ':' or is localhost).
    public static string RegistryOf(string repository)
    {
        var slash = repository.IndexOf('/');
        var first = slash < 0 ? "" : repository[..slash];
        return first.Contains('.') || first.Contains(':') || first == "localhost" ? first : "docker.io";
    }

    public void Dispose() => _client.Dispose();
}
