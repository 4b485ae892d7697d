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
public sealed class ProcessAgent(ProcessConfig config, int outputLines, IReadOnlyCollection<string>? inherited = null,
    string agentId = "", AgentSecrets? secrets = null, string? secretsRoot = null, WorkloadEvents? events = null) : IInProcessWorkload
{
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

        await using (stopping.Register(() => Signals.Terminate(process.Id)))
        {
            await process.WaitForExitAsync(CancellationToken.None);
        }
        _exitCode = process.ExitCode;
        if (!stopping.IsCancellationRequested && process.ExitCode != 0)
        {
            var last = _tail.Lines().LastOrDefault();
            throw new InvalidOperationException($"'{config.Command}' exited with code {process.ExitCode}" + (last is null ? "" : $": {last}"));
        }
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
            ["output"] = new JsonArray([.. _tail.Lines().Select(l => (JsonNode?)JsonValue.Create(l))]),
        };
    }
}
