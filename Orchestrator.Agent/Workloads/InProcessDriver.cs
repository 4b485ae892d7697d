using System.Text.Json.Nodes;

namespace Orchestrator.Agent.Workloads;

// A workload that lives inside the node process (the simulated trading bot) or as its child (a host program):
// RunAsync returns when it ends, cancellation asks it to stop, an exception is a crash, Kill is the forced stop.
public interface IInProcessWorkload
{
    Task RunAsync(CancellationToken stopping);

    void Kill();

    // Type-specific figures for the local API (ticks, P&L, output lines...).
    JsonObject Figures();

    // Its own data directory (a process agent's AGENT_DATA_DIR), where it may keep its update lock; null: none.
    string? DataDirectory => null;

    // Null while healthy or unchecked, else why not (a process agent's exec health check).
    string? Unhealthy => null;
}

// A driver for workloads that die with the node: nothing to adopt, nothing left behind.
public abstract class InProcessDriver(TimeProvider time) : IWorkloadDriver
{
    protected TimeProvider Time => time;

    public abstract string Name { get; }

    public virtual string Capability => Name;

    public virtual ValueTask<DriverFingerprint> FingerprintAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(DriverFingerprint.Ready("runs inside the node"));

    // Validates the config (AgentConfigException) and builds the workload.
    public abstract IInProcessWorkload Create(AgentDefinition agent);

    // The same, with the events that take its output lines (drivers whose workloads write any override this).
    public virtual IInProcessWorkload Create(AgentDefinition agent, WorkloadEvents events) => Create(agent);

    public Task<IWorkloadHandle> StartAsync(AgentDefinition agent, WorkloadEvents events, CancellationToken cancellationToken) =>
        Task.FromResult<IWorkloadHandle>(new Handle(Create(agent, events), time));

    private sealed class Handle : IWorkloadHandle
    {
        private readonly IInProcessWorkload _workload;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        public Handle(IInProcessWorkload workload, TimeProvider time)
        {
            _workload = workload;
            StartedAt = time.GetUtcNow();
            _run = Task.Run(() => workload.RunAsync(_stop.Token));
            Time = time;
        }

        private TimeProvider Time { get; }

        public DateTimeOffset StartedAt { get; }

        public async Task WaitAsync()
        {
            try
            {
                await _run;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
        }

        public async Task<bool> StopAsync(TimeSpan deadline)
        {
            await _stop.CancelAsync();
            if (await Task.WhenAny(_run, Task.Delay(deadline, Time)) == _run) return false;
            _workload.Kill();
            return true;
        }

        public WorkloadInspection Inspect() => new(_workload.Figures(), _workload.Unhealthy);

        public Task<bool> HoldsUpdateLockAsync(CancellationToken cancellationToken) =>
            Task.FromResult(!_run.IsCompleted && _workload.DataDirectory is { } data && File.Exists(UpdateLock.In(data)));

        // Deleted: its data directory goes with it (stopped, updated or moved by a drain, it stays).
        public Task DestroyAsync(bool removeData)
        {
            if (removeData && _workload.DataDirectory is { } data && Directory.Exists(data)) Directory.Delete(data, recursive: true);
            return Task.CompletedTask;
        }
    }
}
