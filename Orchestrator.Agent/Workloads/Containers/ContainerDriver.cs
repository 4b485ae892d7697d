using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Workloads.Secrets;

namespace Orchestrator.Agent.Workloads.Containers;

// `container`: an image run through the Docker Engine API (Nomad's docker driver). Containers outlive the node:
// a restarted node adopts those still running with the same spec (RecoverAsync), removes its own that are no
// longer desired, and never touches one without its labels. Limits and hardening are set on every container.
// Secrets: `secrets` become the container's env, `secret_files` a read-only mount of the agent's tmpfs secrets
// directory at /run/secrets, `image_pull_secret` the credentials of its pull; every value is redacted from its log.
public sealed class ContainerDriver(
    ContainerEngine engine, IOptions<NodeOptions> node, TimeProvider time, ILogger<ContainerDriver> logger, IOptions<RuntimeOptions>? runtime = null) : IWorkloadDriver
{
    public const string TypeName = "container";
    public const string DataPath = "/data";
    public const string SecretsPath = "/run/secrets";

    private string NodeName => node.Value.EffectiveContainerName;

    // The host directory (tmpfs) under which each agent's secret files are kept while its container runs. The engine
    // must see the same path: a node in a container shares it with the host (docs/deployment.md).
    private string SecretsRoot => runtime?.Value.SecretsDirectory
        ?? SecretsDirectory.DefaultRoot(runtime?.Value.DataDirectory ?? Path.Combine(Path.GetTempPath(), "orchestrator-" + NodeName));

    public string Name => TypeName;

    public bool OutlivesNode => true;

    public async ValueTask<DriverFingerprint> FingerprintAsync(CancellationToken cancellationToken)
    {
        try
        {
            return DriverFingerprint.Ready($"{await engine.PingAsync(cancellationToken)} at {engine.Host}");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested || ex is OperationCanceledException)
        {
            // Never configured and never seen: a node without an engine, not an outage.
            var outage = engine.EverAnswered || engine.Host != ContainerEngineOptions.DefaultHost || File.Exists(new Uri(engine.Host).LocalPath);
            var why = ex is OperationCanceledException ? "no answer" : ex.Message;
            return DriverFingerprint.Unusable(outage ? $"{DriverFingerprint.EngineDown} at {engine.Host}: {why}" : $"no container engine at {engine.Host} (DOCKER_HOST)");
        }
    }

    public async Task<IWorkloadHandle> StartAsync(AgentDefinition agent, WorkloadEvents events, CancellationToken cancellationToken)
    {
        var config = ContainerConfig.Parse(agent.AgentConfig);
        var secrets = AgentSecrets.Of(agent);
        var digest = await PullAsync(config, secrets, cancellationToken);
        var volume = await EnsureVolumeAsync(agent, cancellationToken);
        var image = digest is null ? config.Image : $"{config.Repository}@{digest}";
        var files = secrets.Files.Count > 0 ? SecretsDirectory.Create(SecretsRoot, agent.AgentId, secrets.Files, forContainer: true) : null;
        string? id = null;
        try
        {
            id = (await engine.Client.Containers.CreateContainerAsync(Spec(agent, config, image, volume, secrets, files), cancellationToken)).ID;
            await engine.Client.Containers.StartContainerAsync(id, new ContainerStartParameters(), cancellationToken);
        }
        catch
        {
            if (id is not null) await engine.Client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, CancellationToken.None);
            files?.Dispose();
            throw;
        }
        var inspected = await engine.Client.Containers.InspectContainerAsync(id, cancellationToken);
        logger.LogInformation("Agent {AgentId}: started container {Container} from {Image}", agent.AgentId, id[..12], image);
        return Handle(config, inspected, digest, volume, events, secrets, files);
    }

    public async Task<IWorkloadHandle?> RecoverAsync(AgentDefinition agent, WorkloadEvents events, CancellationToken cancellationToken)
    {
        var config = ContainerConfig.Parse(agent.AgentConfig);
        var secrets = AgentSecrets.Of(agent);
        var hash = ContainerConfig.SpecHash(agent.AgentConfig);
        IWorkloadHandle? adopted = null;
        foreach (var found in await OwnAsync(agent.AgentId, cancellationToken))
        {
            var same = adopted is null && found.State == "running" && Label(found, ContainerLabels.SpecHash) == hash
                && Label(found, ContainerLabels.Epoch) == agent.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (same)
            {
                var inspected = await engine.Client.Containers.InspectContainerAsync(found.ID, cancellationToken);
                var digest = config.Digest ?? DigestOf(inspected.Image, config) ?? await ResolveDigestAsync(config, cancellationToken);
                // Its secret files stay as they are: the running container has that very directory mounted.
                adopted = Handle(config, inspected, digest, ContainerLabels.Name("data", NodeName, agent.AgentId), events, secrets,
                    secrets.Files.Count > 0 ? SecretsDirectory.At(SecretsRoot, agent.AgentId) : null);
                continue;
            }
            logger.LogInformation("Agent {AgentId}: removing its stale container {Container} ({State})", agent.AgentId, found.ID[..12], found.State);
            await RemoveContainerAsync(found.ID, cancellationToken);
        }
        return adopted;
    }

    public async Task RemoveUndesiredAsync(IReadOnlySet<string> desiredAgentIds, CancellationToken cancellationToken)
    {
        if (!engine.EverAnswered) return; // no engine seen yet: nothing of ours to find
        IList<ContainerListResponse> own;
        try
        {
            own = await OwnAsync(null, cancellationToken);
        }
        catch (Exception ex) when (ContainerEngine.IsUnreachable(ex) || ex is DockerApiException)
        {
            return; // No engine: nothing of ours can be cleaned up now; the next reconcile tries again.
        }
        foreach (var found in own.Where(c => Label(c, ContainerLabels.AgentId) is { } id && !desiredAgentIds.Contains(id)))
        {
            logger.LogInformation("Removing container {Container} of agent {AgentId}, no longer desired on this node", found.ID[..12], found.Labels![ContainerLabels.AgentId]);
            await RemoveContainerAsync(found.ID, cancellationToken);
            SecretsDirectory.At(SecretsRoot, found.Labels![ContainerLabels.AgentId]).Dispose();
        }
    }

    private static string? Label(ContainerListResponse container, string name) =>
        container.Labels is { } labels && labels.TryGetValue(name, out var value) ? value : null;

    internal async Task RemoveContainerAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            await engine.Client.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }, cancellationToken);
        }
        catch (Exception ex) when (ContainerEngine.IsGone(ex))
        {
        }
    }

    // This node's containers (of one agent, or all), found by label only.
    private async Task<IList<ContainerListResponse>> OwnAsync(string? agentId, CancellationToken cancellationToken)
    {
        var labels = new Dictionary<string, bool> { [$"{ContainerLabels.Node}={NodeName}"] = true };
        if (agentId is not null) labels[$"{ContainerLabels.AgentId}={agentId}"] = true;
        return await engine.Client.Containers.ListContainersAsync(new ContainersListParameters
        {
            All = true,
            Filters = new Dictionary<string, IDictionary<string, bool>> { ["label"] = labels },
        }, cancellationToken);
    }

    private ContainerHandle Handle(ContainerConfig config, ContainerInspectResponse inspected, string? digest, string volume,
        WorkloadEvents events, AgentSecrets secrets, SecretsDirectory? files) =>
        new(engine, this, inspected.ID, config, digest, volume, StartedAt(inspected), events, time, logger, new SecretRedactor(secrets.Values), files);

    private DateTimeOffset StartedAt(ContainerInspectResponse inspected) =>
        DateTimeOffset.TryParse(inspected.State?.StartedAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at)
            ? at.ToUniversalTime() : time.GetUtcNow();

    // Pulls the image and returns its digest (sha256:...). A refusal names the image and the registry's answer.
    // Credentials: the agent's image_pull_secret when it has one for the image's registry, else REGISTRY_AUTH_FILE's.
    private async Task<string?> PullAsync(ContainerConfig config, AgentSecrets secrets, CancellationToken cancellationToken)
    {
        var failure = (string?)null;
        var progress = new SyncProgress<JSONMessage>(m =>
        {
            if (m.Error is { Message.Length: > 0 } error) failure = error.Message;
        });
        try
        {
            var parameters = config.Digest is { } digest
                ? new ImagesCreateParameters { FromImage = $"{config.Repository}@{digest}" }
                : new ImagesCreateParameters { FromImage = config.Repository, Tag = config.Tag };
            var auth = (secrets.ImagePullAuth is { } json
                ? ContainerEngine.AuthFrom(json, config.Repository, $"agent_config.{ServiceDefaults.SecretReferences.ImagePullField}")
                : null) ?? engine.AuthFor(config.Repository);
            await engine.Client.Images.CreateImageAsync(parameters, auth, progress, cancellationToken);
        }
        catch (DockerApiException ex)
        {
            throw new ImagePullException($"pulling image {config.Image} failed: {Answer(ex)}");
        }
        if (failure is not null) throw new ImagePullException($"pulling image {config.Image} failed: {failure}");
        return config.Digest ?? await ResolveDigestAsync(config, cancellationToken);
    }

    private async Task<string?> ResolveDigestAsync(ContainerConfig config, CancellationToken cancellationToken)
    {
        var image = await engine.Client.Images.InspectImageAsync(config.Image, cancellationToken);
        return image.RepoDigests?.Select(d => d.Split('@')).Where(p => p.Length == 2)
            .OrderByDescending(p => p[0] == config.Repository).Select(p => p[1]).FirstOrDefault();
    }

    private static string? DigestOf(string? imageReference, ContainerConfig config) =>
        imageReference is { } r && r.StartsWith(config.Repository + "@", StringComparison.Ordinal) ? r[(r.IndexOf('@') + 1)..] : null;

    private static string Answer(DockerApiException ex) =>
        string.IsNullOrWhiteSpace(ex.ResponseBody) ? $"{(int)ex.StatusCode} {ex.StatusCode}" : $"{(int)ex.StatusCode} {ex.ResponseBody.Trim()}";

    private async Task<string> EnsureVolumeAsync(AgentDefinition agent, CancellationToken cancellationToken)
    {
        var name = ContainerLabels.Name("data", NodeName, agent.AgentId);
        // Create is idempotent for a named volume: an existing one (the agent's earlier data) is kept.
        await engine.Client.Volumes.CreateAsync(new VolumesCreateParameters
        {
            Name = name,
            Labels = new Dictionary<string, string> { [ContainerLabels.Node] = NodeName, [ContainerLabels.AgentId] = agent.AgentId },
        }, cancellationToken);
        return name;
    }

    internal async Task RemoveVolumeAsync(string name)
    {
        try
        {
            await engine.Client.Volumes.RemoveAsync(name, true, CancellationToken.None);
        }
        catch (DockerApiException ex) when (ex.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
        }
    }

    // Hardened by default: no privileges, no capabilities, no new privileges, read-only root with a tmpfs /tmp,
    // only its own named volume, no host network, no engine socket, no restart policy (the node restarts it).
    // Secrets: env values in Env (the engine keeps them in its own container config, as Docker and Nomad do), files
    // as the one read-only bind the node makes itself, of its own tmpfs directory.
    private CreateContainerParameters Spec(AgentDefinition agent, ContainerConfig config, string image, string volume, AgentSecrets secrets,
        SecretsDirectory? files)
    {
        List<Mount> mounts = [new Mount { Type = "volume", Source = volume, Target = DataPath }];
        if (files is not null) mounts.Add(new Mount { Type = "bind", Source = files.Path, Target = SecretsPath, ReadOnly = true });
        var env = config.Environment.Select(e => $"{e.Key}={e.Value}").Concat(secrets.Env.Select(e => $"{e.Key}={e.Value}")).ToList();
        if (files is not null) env.Add($"{SecretsDirectory.Variable}={SecretsPath}");
        var memory = config.MemoryMb * 1024 * 1024;
        return new CreateContainerParameters
        {
            Name = $"{ContainerLabels.Name("agent", NodeName, agent.AgentId)}-{Guid.NewGuid().ToString("N")[..8]}",
            Image = image,
            Cmd = config.Command?.ToList(),
            Env = env,
            Labels = new Dictionary<string, string>
            {
                [ContainerLabels.Node] = NodeName,
                [ContainerLabels.AgentId] = agent.AgentId,
                [ContainerLabels.Epoch] = agent.Epoch.ToString(System.Globalization.CultureInfo.InvariantCulture),
                [ContainerLabels.SpecHash] = ContainerConfig.SpecHash(agent.AgentConfig),
            },
            StopTimeout = config.StopTimeout,
            HostConfig = new HostConfig
            {
                Memory = memory ?? 0,
                MemorySwap = memory ?? 0,
                NanoCPUs = config.Cpus is { } cpus ? (long)(cpus * 1e9) : 0,
                PidsLimit = config.Pids,
                Privileged = false,
                CapDrop = ["ALL"],
                SecurityOpt = ["no-new-privileges"],
                ReadonlyRootfs = true,
                Tmpfs = new Dictionary<string, string> { ["/tmp"] = "rw,noexec,nosuid,size=64m" },
                Mounts = mounts,
                NetworkMode = config.Network,
                RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.No },
            },
        };
    }

    // Progress<T> posts to the thread pool, so a failure could be read before it is recorded; this reports inline.
    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

// A pull the registry or engine refused: the agent fails with this message and is retried with backoff.
public sealed class ImagePullException(string message) : Exception(message);
