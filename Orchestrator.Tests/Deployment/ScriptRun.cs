using System.Diagnostics;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Deployment;

// Runs a repository script or tool as a real process with a deadline, capturing both streams.
public sealed record ScriptRun(int ExitCode, string Output, string Error)
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromMinutes(2);

    public IReadOnlyList<string> ErrorLines =>
        Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";

    public static async Task<ScriptRun> RunAsync(
        string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? deadline = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory ?? RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        if (environment is not null)
        {
            // Only what the caller gives, plus what any shell needs: the test host's own variables
            // (ASPNETCORE_*, DOTNET_*) must not leak into what is being tested.
            start.Environment.Clear();
            start.Environment["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
            start.Environment["HOME"] = System.Environment.GetEnvironmentVariable("HOME") ?? "/tmp";
            foreach (var (key, value) in environment) start.Environment[key] = value;
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(deadline ?? DefaultDeadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', arguments)} did not finish within {(deadline ?? DefaultDeadline).TotalSeconds:0}s");
        }
        return new ScriptRun(process.ExitCode, await output, await error);
    }

    public static Task<ScriptRun> BashAsync(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        RunAsync("bash", new[] { Path.Combine(RepoPaths.Root, script) }.Concat(arguments), environment);
}
