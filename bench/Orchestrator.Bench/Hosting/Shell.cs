using System.Diagnostics;

namespace Orchestrator.Bench.Hosting;

// Runs a short-lived tool (redis-cli, redis-benchmark, kill) and returns what it printed.
public static class Shell
{
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, TimeSpan deadline)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {deadline.TotalSeconds:0} s");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} exited {process.ExitCode}: {(await stderr).Trim()} {(await stdout).Trim()}");
        return await stdout;
    }

    public static Task SignalAsync(int pid, string signal) =>
        RunAsync("kill", [$"-{signal}", pid.ToString()], TimeSpan.FromSeconds(5));
}
