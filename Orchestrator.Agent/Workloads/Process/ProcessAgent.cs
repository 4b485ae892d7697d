using Orchestrator.Protocol;
using System.Diagnostics;
using System.Text.Json.Nodes;
using Orchestrator.Agent.Workloads.Secrets;

namespace Orchestrator.Agent.Workloads.Process;

// A real child process. Cancellation sends SIGTERM and waits; the supervisor kills it after its
// deadline. A non-zero exit the node did not ask for is a crash (restarted with backoff).
// The child starts with a clean environment: PATH, the node's PROCESS_ENV_ALLOWLIST variables and agent_config.env,
// nothing else, so no secret of the node (its credential, ADMIN_PASSWORD, tokens) reaches it. Its own secrets
// (agent_config.secrets) are added as env variables, and its secret_files written to a 0700 directory on tmpfs named by
// SECRETS_DIR, which lives exactly as long as the process: removed when it ends, is stopped, fenced or deleted.
// Its own data directory (AGENT_DATA_DIR, kept across restarts and stops) holds its update lock. An exec health_check
// runs every interval; failing `retries` times in a row shows it unhealthy, then kills it as a crash (restarted, counted).
public sealed class ProcessAgent(ProcessConfig config, int outputLines, IReadOnlyCollection<string>? inherited = null,
    string agentId = "", AgentSecrets? secrets = null, string? secretsRoot = null, WorkloadEvents? events = null,
    string? dataDirectory = null, TimeProvider? time = null) : IInProcessWorkload
{
    public string? DataDirectory => dataDirectory;

    public string? Unhealthy => _unhealthy;

    private volatile string? _unhealthy;
    private int _healthFailures;

    public const string SecretsDirVariable = "SECRETS_DIR";

    // Secret values never leave the process's pipes unredacted: not into the local tail, not into the shipped log.
    private readonly SecretRedactor _redactor = new((secrets ?? AgentSecrets.None).Values);
    // Made eagerly: stdout and stderr arrive on two threads, and a lazy tail could be made twice and lose lines.
    private readonly OutputTail _tail = new(outputLines);
    private System.Diagnostics.Process? _process;
    private int? _exitCode;

    public async Task RunAsync(CancellationToken stopping)
    {
        var start = new ProcessStartInfo(config.Command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in config.Args) start.ArgumentList.Add(arg);
        start.Environment.Clear();
        foreach (var name in (inherited ?? []).Append("PATH"))
        {
            if (System.Environment.GetEnvironmentVariable(name) is { } value) start.Environment[name] = value;
        }
        foreach (var (name, value) in config.Environment) start.Environment[name] = value;
        if (dataDirectory is not null)
        {
            Directory.CreateDirectory(dataDirectory);
            start.Environment[AgentDataDirectory.Variable] = dataDirectory;
        }
        secrets ??= AgentSecrets.None;
        foreach (var (name, value) in secrets.Env) start.Environment[name] = value;
        using var secretFiles = secrets.Files.Count > 0 && secretsRoot is not null && !OperatingSystem.IsWindows() ? SecretsDirectory.Create(secretsRoot, agentId, secrets.Files) : null;
        if (secretFiles is not null) start.Environment[SecretsDirVariable] = secretFiles.Path;

        using var process = new System.Diagnostics.Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) Output(LogStreams.Stdout, e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Output(LogStreams.Stderr, e.Data); };
        process.Start();
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var checking = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var failedCheck = config.Health is { } health ? CheckHealthAsync(health, start.Environment, checking.Token) : Task.FromResult<string?>(null);
        await using (stopping.Register(() => Signals.Terminate(process.Id)))
        {
            var exited = process.WaitForExitAsync(CancellationToken.None);
            if (await Task.WhenAny(exited, failedCheck) != exited && await failedCheck is { } failure)
            {
                Kill();
                await exited;
                _exitCode = process.ExitCode;
                throw new InvalidOperationException(failure);
            }
            await exited;
        }
        await checking.CancelAsync();
        _exitCode = process.ExitCode;
        if (!stopping.IsCancellationRequested && process.ExitCode != 0)
        {
            var last = _tail.Lines().LastOrDefault();
            throw new InvalidOperationException($"'{config.Command}' exited with code {process.ExitCode}" + (last is null ? "" : $": {last}"));
        }
    }

    // Returns why the agent failed its check `retries` times in a row; never returns while it passes (cancelled then).
    private async Task<string?> CheckHealthAsync(Containers.HealthCheck health, IDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var clock = time ?? TimeProvider.System;
        try
        {
            while (true)
            {
                await Task.Delay(health.Interval, clock, cancellationToken);
                var failure = await ExecCheckAsync(health, environment, cancellationToken);
                if (failure is null)
                {
                    Volatile.Write(ref _healthFailures, 0);
                    Show(null);
                    continue;
                }
                var failures = Interlocked.Increment(ref _healthFailures);
                Show($"health check failing ({failures}/{health.Retries}): {failure}");
                if (failures >= health.Retries) return $"health check failed {failures} times in a row: {failure}";
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static async Task<string?> ExecCheckAsync(Containers.HealthCheck health, IDictionary<string, string?> environment, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(health.Exec![0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in health.Exec.Skip(1)) start.ArgumentList.Add(arg);
        start.Environment.Clear();
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var check = new System.Diagnostics.Process { StartInfo = start };
        check.Start();
        // Drained so a chatty check never blocks on a full pipe.
        var output = check.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = check.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(health.Timeout);
        try
        {
            await check.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            try { check.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            cancellationToken.ThrowIfCancellationRequested();
            return $"no answer within {health.Timeout.TotalSeconds:0} s";
        }
        await Task.WhenAll(output, errors);
        return check.ExitCode == 0 ? null : $"{string.Join(' ', health.Exec)} exited with {check.ExitCode}";
    }

    private void Show(string? unhealthy)
    {
        if (_unhealthy == unhealthy) return;
        _unhealthy = unhealthy;
        events?.Changed();
    }

    // The local tail (last lines, for the node's API and crash messages) and the agent's shipped log, both
    // given the line once redacted.
    private void Output(string stream, string line)
    {
        var redacted = _redactor.Redact(line);
        _tail.Add(redacted);
        events?.Line(stream, redacted);
    }

    public void Kill()
    {
        try
        {
            _process?.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    public JsonObject Figures()
    {
        var pid = _process is { } p && _exitCode is null ? p.Id : (int?)null;
        return new JsonObject
        {
            ["command"] = config.Command,
            ["pid"] = pid,
            ["exit_code"] = _exitCode,
            ["health_failures"] = config.Health is null ? null : Volatile.Read(ref _healthFailures),
            ["output"] = new JsonArray([.. _tail.Lines().Select(l => (JsonNode?)JsonValue.Create(l))]),
        };
    }
}
