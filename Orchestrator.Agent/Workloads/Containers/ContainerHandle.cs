using System.Net.Sockets;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestrator.Agent.Workloads.Secrets;

namespace Orchestrator.Agent.Workloads.Containers;

// One container the node started or adopted (Nomad's handle): inspected every InspectPeriod. An exit the node
// did not ask for is a crash (an OOM kill says so, with the limit); a failing health check shows the agent
// unhealthy and, after `retries` failures in a row, is a crash too. While the engine does not answer the
// agent is unknown; the container itself keeps running, and is watched again once the engine is back.
// Its stdout and stderr are followed through the engine into the agent's log (ContainerLogFollower).
public sealed class ContainerHandle : IWorkloadHandle
{
    private readonly ContainerEngine _engine;
    private readonly ContainerDriver _driver;
    private readonly string _id;
    private readonly ContainerConfig _config;
    private readonly string? _digest;
    private readonly string _volume;
    private readonly WorkloadEvents _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _watch;
    private readonly ContainerLogFollower _logs;
    private readonly SecretsDirectory? _secretFiles;
    // How long the lines a container wrote before it ended may take to be read to the end.
    private static readonly TimeSpan LogDrain = TimeSpan.FromSeconds(2);
    private string? _unknown;
    private string? _unhealthy;
    private int _healthFailures;
    private int _healthChecks;
    private long? _exitCode;

    public ContainerHandle(ContainerEngine engine, ContainerDriver driver, string id, ContainerConfig config, string? digest, string volume,
        DateTimeOffset startedAt, WorkloadEvents events, TimeProvider time, ILogger logger, SecretRedactor? redactor = null, SecretsDirectory? secretFiles = null)
    {
        (_engine, _driver, _id, _config, _digest, _volume, _events, _time, _logger) = (engine, driver, id, config, digest, volume, events, time, logger);
        _secretFiles = secretFiles;
        StartedAt = startedAt;
        _logs = new ContainerLogFollower(engine, id, events, redactor ?? SecretRedactor.None, time);
        _watch = Task.Run(WatchAsync);
    }

    public DateTimeOffset StartedAt { get; }

    public Task WaitAsync() => _watch;

    public async Task<bool> StopAsync(TimeSpan deadline)
    {
        await _stopping.CancelAsync();
        var wait = _config.StopTimeout > TimeSpan.Zero ? _config.StopTimeout : deadline;
        try
        {
            await _engine.Client.Containers.StopContainerAsync(_id, new ContainerStopParameters { WaitBeforeKillSeconds = (uint)wait.TotalSeconds });
        }
        catch (Exception ex) when (ContainerEngine.IsGone(ex))
        {
        }
        await _logs.StopAsync(LogDrain);
        return false;
    }

    public async Task DestroyAsync(bool removeData)
    {
        await _stopping.CancelAsync();
        await _logs.StopAsync(TimeSpan.Zero);
        await _driver.RemoveContainerAsync(_id, CancellationToken.None);
        _secretFiles?.Dispose();
        if (removeData) await _driver.RemoveVolumeAsync(_volume);
    }

    // Read through the engine (a HEAD of the container's archive at the path, which Podman's Docker-compatible service
    // answers too), so it works wherever the node runs, also when the volume's host mountpoint is not visible to it.
    public async Task<bool> HoldsUpdateLockAsync(CancellationToken cancellationToken)
    {
        if (_watch.IsCompleted) return false;
        try
        {
            await _engine.Client.Containers.GetArchiveFromContainerAsync(_id,
                new ContainerPathStatParameters { Path = ContainerDriver.DataPath + "/" + UpdateLock.RelativePath }, statOnly: true, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ContainerEngine.IsGone(ex) || ex is DockerApiException { StatusCode: System.Net.HttpStatusCode.NotFound })
        {
            return false;
        }
    }

    public WorkloadInspection Inspect() => new(new JsonObject
    {
        ["container_id"] = _id[..Math.Min(12, _id.Length)],
        ["image"] = _config.Image,
        ["volume"] = _volume,
        ["health_checks"] = Volatile.Read(ref _healthChecks),
        ["health_failures"] = Volatile.Read(ref _healthFailures),
        ["exit_code"] = _exitCode,
    }, _unhealthy, _unknown, _digest);

    private async Task WatchAsync()
    {
        var nextCheck = _time.GetUtcNow() + (_config.Health?.Interval ?? TimeSpan.Zero);
        while (!_stopping.IsCancellationRequested)
        {
            ContainerInspectResponse inspected;
            try
            {
                inspected = await _engine.Client.Containers.InspectContainerAsync(_id, _stopping.Token);
                Show(ref _unknown, null);
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ContainerEngine.IsGone(ex))
            {
                if (_stopping.IsCancellationRequested) return;
                throw new InvalidOperationException($"container {_id[..12]} was removed by someone else");
            }
            catch (Exception ex) when (ContainerEngine.IsUnreachable(ex) || ex is DockerApiException)
            {
                Show(ref _unknown, $"container engine unreachable at {_engine.Host}: {ex.Message}");
                await DelayAsync(_engine.Options.InspectPeriod);
                continue;
            }
            if (inspected.State is { Running: false } state)
            {
                if (_stopping.IsCancellationRequested) return;
                // Its last lines (often why it ended) reach the log before the crash is reported.
                await _logs.StopAsync(LogDrain);
                _exitCode = state.ExitCode;
                if (state.OOMKilled)
                    throw new InvalidOperationException($"OOM killed: the container used all of its memory limit ({_config.MemoryMb} MB, resources.memory_mb)");
                // Some engines (Podman on cgroup v1) do not set OOMKilled: a SIGKILL the node did not send, under a memory limit,
                // is reported as the likely OOM kill it is, saying so.
                if (state.ExitCode == 137 && _config.MemoryMb is { } limit)
                    throw new InvalidOperationException($"OOM kill (likely): killed by SIGKILL (exit 137) under its memory limit of {limit} MB (resources.memory_mb); the engine did not say OOMKilled");
                if (state.ExitCode != 0) throw new InvalidOperationException($"container exited with code {state.ExitCode}{(string.IsNullOrEmpty(state.Error) ? "" : $": {state.Error}")}");
                return;
            }
            if (_config.Health is { } health && _time.GetUtcNow() >= nextCheck)
            {
                nextCheck = _time.GetUtcNow() + health.Interval;
                var failure = await HealthProbe.CheckAsync(_engine, _id, inspected, health, _stopping.Token);
                if (_stopping.IsCancellationRequested) return;
                Interlocked.Increment(ref _healthChecks);
                if (failure is null)
                {
                    Volatile.Write(ref _healthFailures, 0);
                    Show(ref _unhealthy, null);
                }
                else
                {
                    var failures = Interlocked.Increment(ref _healthFailures);
                    Show(ref _unhealthy, $"health check failing ({failures}/{health.Retries}): {failure}");
                    if (failures >= health.Retries)
                    {
                        _logger.LogWarning("Container {Container}: health check failed {Failures} times; restarting it", _id[..12], failures);
                        throw new InvalidOperationException($"health check failed {failures} times in a row: {failure}");
                    }
                }
            }
            await DelayAsync(_engine.Options.InspectPeriod);
        }
    }

    private void Show(ref string? field, string? value)
    {
        if (field == value) return;
        field = value;
        _events.Changed();
    }

    private async Task DelayAsync(TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
        }
    }
}

// exec runs in the container (through the engine); http and tcp dial the container's bridge address from the node.
internal static class HealthProbe
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false });

    // Null when healthy, else why not.
    public static async Task<string?> CheckAsync(ContainerEngine engine, string id, ContainerInspectResponse inspected, HealthCheck check,
        CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(check.Timeout);
        try
        {
            if (check.Exec is { } command) return await ExecAsync(engine, id, command, timeout.Token);
            var address = inspected.NetworkSettings?.Networks?.Values.Select(n => n.IPAddress).FirstOrDefault(a => !string.IsNullOrEmpty(a));
            if (string.IsNullOrEmpty(address)) return "the container has no network address";
            if (check.TcpPort is { } port)
            {
                using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(address, port, timeout.Token);
                return null;
            }
            using var response = await Http.GetAsync($"http://{address}:{check.HttpPort}{check.HttpPath}", timeout.Token);
            return (int)response.StatusCode < 400 ? null : $"GET {check.HttpPath} answered {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return $"no answer within {check.Timeout.TotalSeconds:0} s";
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or DockerApiException)
        {
            return ex.Message;
        }
    }

    private static async Task<string?> ExecAsync(ContainerEngine engine, string id, IReadOnlyList<string> command, CancellationToken cancellationToken)
    {
        var exec = await engine.Client.Exec.CreateContainerExecAsync(id, new ContainerExecCreateParameters
        {
            Cmd = [.. command],
            AttachStdout = true,
            AttachStderr = true,
        }, cancellationToken);
        using (var stream = await engine.Client.Exec.StartContainerExecAsync(exec.ID, new ContainerExecStartParameters(), cancellationToken))
        {
            await stream.ReadOutputToEndAsync(cancellationToken);
        }
        while (true)
        {
            var state = await engine.Client.Exec.InspectContainerExecAsync(exec.ID, cancellationToken);
            if (!state.Running) return state.ExitCode == 0 ? null : $"{string.Join(' ', command)} exited with {state.ExitCode}";
            await Task.Delay(50, cancellationToken);
        }
    }
}
