using System.Diagnostics;

namespace Orchestrator.Bench.Hosting;

// A built .NET service (the manager or the ceiling) run as its own process on a port of its own,
// its output kept in a log file, ready once its health endpoint answers 200.
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private readonly string _name;
    private bool _stopping;

    private ServiceProcess(string name, Process process, StreamWriter log, Uri baseAddress, string logPath)
    {
        _name = name;
        _process = process;
        _log = log;
        BaseAddress = baseAddress;
        LogPath = logPath;
    }

    public Uri BaseAddress { get; }
    public string LogPath { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public long RssBytes()
    {
        EnsureRunning();
        return ProcStats.RssBytes(Pid);
    }

    public double CpuSeconds()
    {
        EnsureRunning();
        return ProcStats.CpuSeconds(Pid);
    }

    // A measured process that died mid-scenario makes the scenario fail with its exit code and log.
    public void EnsureRunning()
    {
        if (_process.HasExited && !_stopping)
            throw new InvalidOperationException($"{_name} (pid {Pid}) exited unexpectedly with code {_process.ExitCode}; its log: {LogPath}\n{Tail()}");
    }

    public static async Task<ServiceProcess> StartAsync(string name, string dll, int port,
        IReadOnlyDictionary<string, string> environment, string logDirectory, TimeSpan readyDeadline)
    {
        if (!File.Exists(dll)) throw new FileNotFoundException($"{name}: {dll} is not built (run bench/run.sh, which builds it)", dll);
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_URLS"] = baseAddress.ToString().TrimEnd('/');
        foreach (var (key, value) in environment) start.Environment[key] = value;

        var logPath = Path.Combine(logDirectory, $"{name}-{port}-{DateTime.UtcNow:HHmmss}.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.Start();
        ChildProcesses.Track(process);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var service = new ServiceProcess(name, process, log, baseAddress, logPath);
        await service.WaitReadyAsync(name, readyDeadline);
        return service;
    }

    private async Task WaitReadyAsync(string name, TimeSpan deadline)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var started = Stopwatch.StartNew();
        while (started.Elapsed < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{name} exited with {_process.ExitCode} while starting; log: {LogPath}\n{Tail()}");
            try
            {
                using var response = await http.GetAsync("/health");
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{name} was not healthy within {deadline.TotalSeconds:0} s; log: {LogPath}\n{Tail()}");
    }

    private string Tail()
    {
        lock (_log) _log.Flush();
        return string.Join('\n', File.ReadLines(LogPath).TakeLast(30));
    }

    // SIGTERM first, as an operator's restart or a container stop would; SIGKILL if it hangs.
    public async Task StopAsync(TimeSpan grace)
    {
        _stopping = true;
        if (_process.HasExited) return;
        await Shell.SignalAsync(Pid, "TERM");
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(10));
        ChildProcesses.Forget(_process);
        _process.Dispose();
        lock (_log) _log.Dispose();
    }
}
