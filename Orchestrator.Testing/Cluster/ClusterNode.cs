using System.Text;
using Orchestrator.Testing.Hosting;

namespace Orchestrator.Testing.Cluster;

// One service of a ProcessCluster (a manager or an orchestrator) as a real process that can be killed
// with SIGKILL and started again on the same port, keeping the log of every run for failure messages.
public abstract class ClusterNode(string name, string dll, int port) : IAsyncDisposable
{
    private readonly StringBuilder _previousRuns = new();
    private ChildProcess? _process;

    public string Name { get; } = name;

    public int Port { get; } = port;

    public string Url => $"http://127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    public int Pid => _process?.Pid ?? throw new InvalidOperationException($"{Name} is not running");

    public string Log => _previousRuns + (_process?.Log ?? "");

    protected abstract Dictionary<string, string> Environment();

    // Starts the process and waits for its /health to answer 200.
    public async Task StartAsync(TimeSpan? timeout = null)
    {
        if (IsRunning) return;
        Archive();
        _process = ChildProcess.Start(ProcessSpec.Dotnet(dll) with { Name = Name, Url = new Uri(Url), Environment = Environment() });
        await _process.WaitUntilHealthyAsync(timeout ?? ProcessCluster.StartupDeadline);
    }

    // kill -9: no shutdown hooks run, leases are not released, nothing is flushed.
    public void Kill()
    {
        _process?.Kill();
        Archive();
    }

    // SIGSTOP / SIGCONT (see ChildProcess.Freeze).
    public void Freeze() => (_process ?? throw new InvalidOperationException($"{Name} is not running")).Freeze();

    public void Thaw() => _process?.Thaw();

    public async Task RestartAsync()
    {
        Kill();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null) await _process.DisposeAsync();
        await DisposeResourcesAsync();
        GC.SuppressFinalize(this);
    }

    protected virtual ValueTask DisposeResourcesAsync() => ValueTask.CompletedTask;

    private void Archive()
    {
        if (_process is null) return;
        _previousRuns.Append(_process.Log).AppendLine($"----- {Name} process ended -----");
        _process.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _process = null;
    }
}
