using System.Text;
using Orchestrator.Testing.Hosting;

namespace Orchestrator.Testing.Network;

// A real process inside one namespace of a NetworkLab (redis-server, the manager, a node), started through the
// one ChildProcess launcher and `ip netns exec`. It can be killed (SIGKILL) and started again with the same
// environment; the log of every run is kept for failure messages.
public sealed class LabService(string name, NetworkNamespace space, Func<ProcessSpec> spec, Func<ChildProcess, Task> ready) : IAsyncDisposable
{
    private readonly StringBuilder _previousRuns = new();
    private ChildProcess? _process;

    public string Name { get; } = name;

    public NetworkNamespace Namespace { get; } = space;

    public bool IsRunning => _process is { HasExited: false };

    public string Log => _previousRuns + (_process?.Log ?? "");

    public async Task StartAsync()
    {
        if (IsRunning) return;
        Archive();
        _process = ChildProcess.Start(Namespace.Wrap(spec()) with { Name = Name });
        await ready(_process);
    }

    // kill -9: no shutdown hooks, nothing flushed.
    public void Kill()
    {
        _process?.Kill();
        Archive();
    }

    public string Tail(int lines = 60)
    {
        var all = Log.Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null) await _process.DisposeAsync();
        _process = null;
    }

    private void Archive()
    {
        if (_process is null) return;
        _previousRuns.Append(_process.Log).AppendLine($"----- {Name} process ended -----");
        _process.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _process = null;
    }
}
