using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Agent;

// A built service (Orchestrator.Agent or Orchestrator.Manager) run as a real process with exactly the
// environment given (plus PATH/HOME), its output captured for assertions and failure messages.
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly StringBuilder _log = new();
    private readonly Process _process;

    private ServiceProcess(Process process) => _process = process;

    public string Log { get { lock (_log) return _log.ToString(); } }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public static ServiceProcess Start(string project, IReadOnlyDictionary<string, string> environment, string? workingDirectory = null)
    {
        var dll = RepoPaths.ProjectOutput(project);
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll },
            WorkingDirectory = workingDirectory ?? Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH");
        start.Environment["HOME"] = Environment.GetEnvironmentVariable("HOME");
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var service = new ServiceProcess(Process.Start(start) ?? throw new InvalidOperationException($"{project} did not start"));
        service._process.OutputDataReceived += (_, e) => service.Append(e.Data);
        service._process.ErrorDataReceived += (_, e) => service.Append(e.Data);
        service._process.BeginOutputReadLine();
        service._process.BeginErrorReadLine();
        return service;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token);
        _process.WaitForExit(); // flushes the redirected output
        return _process.ExitCode;
    }

    public async Task WaitForHttpAsync(string url, TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await Deadline.UntilAsync(async () =>
            {
                if (_process.HasExited) throw new InvalidOperationException($"process exited with {_process.ExitCode}:\n{Log}");
                return (await http.GetAsync(url)).StatusCode == HttpStatusCode.OK;
            }, timeout, $"{url} to answer 200");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\n" + Log, ex);
        }
    }

    public void Kill()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }


    private void Append(string? line)
    {
        if (line is null) return;
        lock (_log) _log.AppendLine(line);
    }
}
