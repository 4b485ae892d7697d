using System.Diagnostics;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Validation;

// The built Orchestrator.Validation CLI run as its own process, as an operator runs it.
public static class ValidationCli
{
    public static readonly TimeSpan RunDeadline = TimeSpan.FromSeconds(90);

    public static string Dll => Path.Combine(RepoPaths.Root, "tools", "Orchestrator.Validation", "bin", RepoPaths.Configuration, "net10.0",
        "Orchestrator.Validation.dll");

    public sealed record Run(int ExitCode, string Stdout, string Stderr);

    public static async Task<Run> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Dll);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment.Remove("ADMIN_PASSWORD");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("the validation CLI did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(RunDeadline);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the validation CLI did not finish within {RunDeadline.TotalSeconds:0}s:\n{await stderr}");
        }
        return new Run(process.ExitCode, await stdout, await stderr);
    }
}
