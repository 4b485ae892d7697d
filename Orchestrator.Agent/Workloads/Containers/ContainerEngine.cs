using System.Net.Sockets;
using System.Text;
using System.Text.Json;
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
        var registry = RegistryOf(repository);
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        if (!document.RootElement.TryGetProperty("auths", out var auths)) return null;
        foreach (var entry in auths.EnumerateObject())
        {
            var host = entry.Name.Replace("https://", "", StringComparison.Ordinal).Replace("http://", "", StringComparison.Ordinal).TrimEnd('/');
            if (!string.Equals(host, registry, StringComparison.OrdinalIgnoreCase)) continue;
            if (!entry.Value.TryGetProperty("auth", out var auth) || auth.GetString() is not { } encoded) continue;
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
            var colon = pair.IndexOf(':');
            return colon < 0 ? null : new AuthConfig { Username = pair[..colon], Password = pair[(colon + 1)..], ServerAddress = registry };
        }
        return null;
    }

    // The registry host of a repository: its first part when that looks like a host (has '.', ':' or is localhost).
    public static string RegistryOf(string repository)
    {
        var slash = repository.IndexOf('/');
        var first = slash < 0 ? "" : repository[..slash];
        return first.Contains('.') || first.Contains(':') || first == "localhost" ? first : "docker.io";
    }

    public void Dispose() => _client.Dispose();
}
