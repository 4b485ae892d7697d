using System.Diagnostics;
using System.Net;
using System.Text;

namespace Orchestrator.Testing.Hosting;

// The one way tests and benchmarks start a process: output captured (and optionally written to a file),
// a health wait with a deadline that fails at once if the process dies, SIGTERM then SIGKILL to stop it,
// and cleanup that survives a failed test: DisposeAsync kills it, and so does the test host's exit.
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _log = new();
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _error = new();
    private readonly StreamWriter? _logFile;

    private ChildProcess(ProcessSpec spec, Process process)
    {
        Spec = spec;
        _process = process;
        if (spec.LogFile is not null) _logFile = new StreamWriter(spec.LogFile, append: true) { AutoFlush = true };
    }

    public ProcessSpec Spec { get; }

    public string Name => Spec.Name;

    public Uri? Url => Spec.Url;

    public int Pid { get; private set; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    // stdout and stderr interleaved as they arrived.
    public string Log { get { lock (_log) return _log.ToString(); } }

    public string Output { get { lock (_log) return _output.ToString(); } }

    public string Error { get { lock (_log) return _error.ToString(); } }

    public static ChildProcess Start(ProcessSpec spec)
    {
        var start = new ProcessStartInfo(spec.FileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in spec.Arguments) start.ArgumentList.Add(argument);
        if (spec.WorkingDirectory is not null) start.WorkingDirectory = spec.WorkingDirectory;
        if (spec.InheritEnvironment)
        {
            foreach (var name in spec.RemoveVariables) start.Environment.Remove(name);
        }
        else
        {
            start.Environment.Clear();
            start.Environment["PATH"] = System.Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin";
            start.Environment["HOME"] = System.Environment.GetEnvironmentVariable("HOME") ?? "/tmp";
            start.Environment["DOTNET_NOLOGO"] = "1";
        }
        foreach (var (key, value) in spec.Environment) start.Environment[key] = value;
        if (spec.Url is not null) start.Environment["ASPNETCORE_URLS"] = spec.Url.ToString().TrimEnd('/');

        var child = new ChildProcess(spec, new Process { StartInfo = start });
        child._process.OutputDataReceived += (_, e) => child.Append(e.Data, child._output);
        child._process.ErrorDataReceived += (_, e) => child.Append(e.Data, child._error);
        if (!child._process.Start()) throw new InvalidOperationException($"{spec.Name} did not start");
        child.Pid = child._process.Id;
        Reaper.Track(child._process);
        // Nobody types into a child: a script reading stdin sees end of input instead of hanging.
        child._process.StandardInput.Close();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    // Starts an HTTP service (spec.Url set) and waits until its /health answers 200.
    public static async Task<ChildProcess> StartServiceAsync(ProcessSpec spec, TimeSpan deadline)
    {
        var child = Start(spec);
        try
        {
            await child.WaitUntilHealthyAsync(deadline);
            return child;
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
    }

    // Runs a command to its end and returns what it printed; kills it and throws if the deadline passes first.
    public static async Task<ProcessRun> RunAsync(ProcessSpec spec, TimeSpan deadline)
    {
        await using var child = Start(spec);
        try
        {
            await child.WaitForExitAsync(deadline);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message}\n{child.Log}", ex);
        }
        return new ProcessRun(child.ExitCode, child.Output, child.Error);
    }

    // What a short-lived tool (redis-cli, git, ...) printed, run with the caller's environment; throws unless it exits 0.
    public static async Task<string> OutputOfAsync(string fileName, IEnumerable<string> arguments, TimeSpan deadline)
    {
        var run = await RunAsync(new ProcessSpec(fileName, [.. arguments]) { InheritEnvironment = true }, deadline);
        if (run.ExitCode != 0) throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)}: {run}");
        return run.Output;
    }

    public Task WaitUntilHealthyAsync(TimeSpan deadline) =>
        WaitForHttpAsync(new Uri(Url ?? throw new InvalidOperationException($"{Name} has no Url"), "/health").ToString(), deadline);

    // Polls url until it answers 200; throws at once with the log if the process exits, or at the deadline.
    // `client` is for a service the test host reaches its own way (e.g. from inside a network namespace).
    public async Task WaitForHttpAsync(string url, TimeSpan deadline, HttpClient? client = null)
    {
        using var own = client is null ? new HttpClient { Timeout = TimeSpan.FromSeconds(5) } : null;
        var http = client ?? own!;
        try
        {
            await Deadline.UntilAsync(async () =>
            {
                ThrowIfExited();
                using var response = await http.GetAsync(url);
                return response.StatusCode == HttpStatusCode.OK;
            }, deadline, $"{url} to answer 200");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{Name}: {ex.Message}\n{Tail()}", ex);
        }
    }

    // For a process that should still be running, e.g. the measured service in a benchmark.
    public void ThrowIfExited()
    {
        if (_process.HasExited) throw new ProcessExitedException($"{Name} (pid {Pid}) exited with {_process.ExitCode}:\n{Tail()}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"{Name} {string.Join(' ', Spec.Arguments)} did not exit within {deadline.TotalSeconds:0.#} s");
        }
        _process.WaitForExit(); // lets the redirected output drain into the log
        return _process.ExitCode;
    }

    // SIGTERM, as a container stop or an operator would; SIGKILL if it has not exited after the grace period.
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return;
        if (grace > TimeSpan.Zero && Signals.Terminate(Pid))
        {
            using var timeout = new CancellationTokenSource(grace);
            try
            {
                await _process.WaitForExitAsync(timeout.Token);
                return;
            }
            catch (OperationCanceledException)
            {
            }
        }
        Kill();
    }

    // SIGSTOP: the process stops at whatever instruction it is on, mid-request, until Thaw (or Kill, which
    // works on a frozen process). Lets a test catch it inside a window milliseconds long and look first.
    public void Freeze()
    {
        if (!Signals.Stop(Pid)) throw new InvalidOperationException($"{Name} could not be frozen (SIGSTOP)");
    }

    public void Thaw() => Signals.Continue(Pid);

    // SIGKILL to the whole tree: no shutdown hooks run, nothing is flushed (a crash or kill -9).
    public void Kill()
    {
        try
        {
            if (_process.HasExited) return;
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    // The last lines of output, for failure messages.
    public string Tail(int lines = 40)
    {
        var all = Log.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(Spec.StopGrace);
        Reaper.Forget(_process);
        _process.Dispose();
        lock (_log) _logFile?.Dispose();
    }

    private void Append(string? line, StringBuilder stream)
    {
        if (line is null) return;
        lock (_log)
        {
            _log.AppendLine(line);
            stream.AppendLine(line);
            _logFile?.WriteLine(line);
        }
    }
}
