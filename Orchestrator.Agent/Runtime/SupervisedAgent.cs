using Orchestrator.Agent.Workloads;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Runtime;

// One agent under supervision: adopts its workload when the driver still runs it from before the node started,
// else starts it; watches it, restarts it with backoff when it crashes, and stops it gracefully (a deadline,
// then forced). A config error fails it for good.
public sealed class SupervisedAgent(AgentDefinition definition, IWorkloadDriver? driver, string? driverError, AgentRuntimeContext context)
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private IWorkloadHandle? _handle;
    private Task? _loop;
    private string? _lastShown;
    // Set while a stop waits for the agent's update lock; cancelled by a force.
    private DateTimeOffset? _lockSince;
    private readonly CancellationTokenSource _forced = new();

    public AgentDefinition Definition { get; } = definition;
    public IWorkloadDriver? Driver { get; } = driver;
    public string State { get; private set; } = AgentStates.Pending;
    public DateTimeOffset? StartedAt { get; private set; }
    public int Restarts { get; private set; }
    // Cut to 1 KiB: it travels in every heartbeat and report.
    public string? LastError { get => _lastError; private set => _lastError = TextCut.ToLimit(value); }

    private string? _lastError = TextCut.ToLimit(driverError);

    // Started and still supervised (running, starting, or waiting to restart): counts against max_agents.
    public bool IsActive => _loop is { IsCompleted: false } && State != AgentStates.Stopping;

    public bool IsPending => _loop is null && State == AgentStates.Pending;

    public void Hold(string reason)
    {
        lock (_gate) LastError = reason;
    }

    public void Start()
    {
        lock (_gate)
        {
            if (_loop is not null) return;
            LastError = null;
            _loop = Task.Run(RunLoopAsync);
        }
    }

    // Stops the workload and releases what its driver holds (removeData: the agent was deleted).
    public async Task StopAsync(bool removeData = false)
    {
        Task? loop;
        lock (_gate)
        {
            loop = _loop;
            if (loop is null || loop.IsCompleted)
            {
                if (State != AgentStates.Failed) Set(AgentStates.Stopped);
                loop = null;
            }
            else Set(AgentStates.Stopping);
        }
        await _stop.CancelAsync();
        if (loop is not null)
        {
            var handle = await CurrentHandleAsync(loop);
            if (handle is not null && await handle.StopAsync(StopDeadline()))
                context.Logger.LogWarning("Agent {AgentId} did not stop within {Timeout}; killed it", Definition.AgentId, StopDeadline());
            await Task.WhenAny(loop, Task.Delay(StopDeadline(), context.Time));
            Set(AgentStates.Stopped);
        }
        if (_handle is { } last) await DestroyQuietlyAsync(last, removeData);
    }

    // Whether its workload runs and holds its update lock now (an engine that cannot tell counts as no lock: the stop
    // that follows would not get through to it either).
    public async Task<bool> HoldsUpdateLockAsync()
    {
        IWorkloadHandle? handle;
        lock (_gate) handle = _loop is { IsCompleted: false } ? _handle : null;
        if (handle is null) return false;
        try
        {
            return await handle.HoldsUpdateLockAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            context.Logger.LogWarning("Agent {AgentId}: could not read its update lock ({Error}); not waiting for it", Definition.AgentId, ex.Message);
            return false;
        }
    }

    // An operator's force arrived: a stop waiting for the update lock goes ahead now.
    public void Force() => _forced.Cancel();

    // Before a stop, restart, update or drain: waits while the agent holds its update lock, shown as blocked_by_lock
    // with the time waited, up to maxWait. Returns how long it waited. Runs apart from the reconcile, so other agents,
    // heartbeats and polls carry on meanwhile.
    public async Task<TimeSpan> WaitForUpdateLockAsync(TimeSpan maxWait)
    {
        var since = context.Time.GetUtcNow();
        var shownSeconds = 0;
        while (!_forced.IsCancellationRequested && await HoldsUpdateLockAsync())
        {
            var waited = context.Time.GetUtcNow() - since;
            // Reported again each whole second, so the manager shows lock_waited_seconds growing (only while blocked).
            if ((int)waited.TotalSeconds != shownSeconds)
            {
                shownSeconds = (int)waited.TotalSeconds;
                context.OnStateChanged(this);
            }
            if (_lockSince is null)
            {
                lock (_gate) _lockSince = since;
                context.Logger.LogInformation("Agent {AgentId} holds its update lock; its stop waits up to {Max} s", Definition.AgentId, maxWait.TotalSeconds);
                Set(AgentStates.BlockedByLock);
            }
            if (waited >= maxWait)
            {
                context.Logger.LogWarning("Agent {AgentId} stopped on lock timeout: it still held its update lock after {Waited:0} s (max_lock_seconds)",
                    Definition.AgentId, waited.TotalSeconds);
                context.OnLockTimeout?.Invoke(this, waited);
                break;
            }
            try
            {
                var left = maxWait - waited;
                await Task.Delay(left < context.LockPollInterval ? left : context.LockPollInterval, context.Time, _forced.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }
        var total = context.Time.GetUtcNow() - since;
        if (_lockSince is not null)
        {
            if (_forced.IsCancellationRequested) context.Logger.LogWarning("Agent {AgentId}: stop forced while it held its update lock", Definition.AgentId);
            else context.Logger.LogInformation("Agent {AgentId} released its update lock after {Waited:0.0} s; stopping it", Definition.AgentId, total.TotalSeconds);
        }
        return total;
    }

    // The node is shutting down: a workload that outlives the node is left running, to be adopted by the next one.
    public Task DetachOrStopAsync() => Driver?.OutlivesNode == true ? DetachAsync() : StopAsync();

    private async Task DetachAsync()
    {
        await _stop.CancelAsync();
        context.Logger.LogInformation("Leaving agent {AgentId} running for the next node to adopt", Definition.AgentId);
    }

    private string? _note;

    // A failed check the agent runs despite (SPEC_SIGNATURES=monitor): shown as last_error while no error of its own is.
    // True when it changed, so it is reported.
    public bool Note(string? note)
    {
        lock (_gate)
        {
            if (_note == note) return false;
            _note = note;
            return true;
        }
    }

    public AgentStatus View()
    {
        lock (_gate)
        {
            var inspection = _handle?.Inspect();
            var state = State;
            var error = LastError ?? _note;
            if (state == AgentStates.Running && inspection is { Unknown: { } unknown }) (state, error) = (AgentStates.Unknown, unknown);
            else if (state == AgentStates.Running && inspection is { Unhealthy: { } unhealthy }) (state, error) = (AgentStates.Unhealthy, unhealthy);
            int? waited = state == AgentStates.BlockedByLock && _lockSince is { } since ? (int)(context.Time.GetUtcNow() - since).TotalSeconds : null;
            return new AgentStatus(Definition.AgentId, Definition.AgentType, state, StartedAt, Restarts, TextCut.ToLimit(error), Definition.Epoch,
                inspection?.Figures ?? [], inspection?.ImageDigest, waited);
        }
    }

    private TimeSpan StopDeadline() => context.StopTimeout;

    // A stop can arrive while the handle is still being created: wait for it (bounded) so it is stopped too.
    private async Task<IWorkloadHandle?> CurrentHandleAsync(Task loop)
    {
        var deadline = context.Time.GetUtcNow() + StopDeadline();
        while (true)
        {
            lock (_gate)
            {
                if (_handle is not null || _creating is null) return _handle;
            }
            if (loop.IsCompleted || context.Time.GetUtcNow() > deadline) return _handle;
            await Task.WhenAny(_creating ?? Task.CompletedTask, loop);
        }
    }

    private Task? _creating;

    private async Task RunLoopAsync()
    {
        var adopt = true;
        while (!_stop.IsCancellationRequested)
        {
            Set(AgentStates.Starting);
            var handle = await TryStartAsync(adopt);
            adopt = false;
            if (handle is null) break;
            Set(AgentStates.Running);
            var crash = await WaitAsync(handle);
            if (_stop.IsCancellationRequested) return;
            if (crash is null)
            {
                context.Logger.LogInformation("Agent {AgentId} ended on its own", Definition.AgentId);
                Set(AgentStates.Stopped);
                break;
            }
            if (!await BackOffAfterCrashAsync(crash, handle)) return;
        }
        context.OnEnded(this);
    }

    // Adopts the workload still running from before (first start only), else starts a new one.
    private async Task<IWorkloadHandle?> TryStartAsync(bool adopt)
    {
        var log = context.Log;
        var position = context.LogPosition;
        var events = new WorkloadEvents(ShowChange, log is null ? null : (stream, text, time) => log(Definition.AgentId, stream, text, time),
            position is null ? null : () => position(Definition.AgentId));
        var creating = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) _creating = creating.Task;
        try
        {
            var chosen = Driver ?? throw new AgentConfigException(driverError ?? "unknown agent type");
            var handle = adopt ? await chosen.RecoverAsync(Definition, events, _stop.Token) : null;
            if (handle is not null)
            {
                context.Logger.LogInformation("Adopted agent {AgentId}, running since {StartedAt}", Definition.AgentId, handle.StartedAt);
                context.Journal?.Invoke(JournalKinds.Adopt, Definition.AgentId, $"adopted, running since {handle.StartedAt:O}");
            }
            handle ??= await chosen.StartAsync(Definition, events, _stop.Token);
            lock (_gate)
            {
                _handle = handle;
                StartedAt = handle.StartedAt;
            }
            return handle;
        }
        catch (AgentConfigException ex)
        {
            context.Logger.LogWarning("Agent {AgentId} ({AgentType}) refused: {Error}", Definition.AgentId, Definition.AgentType, ex.Message);
            lock (_gate) LastError = ex.Message;
            Set(AgentStates.Failed);
            context.RecordFailure(this, false);
            return null;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex)
        {
            // The driver could not start it now (an image pull refused, the engine away): retried with backoff.
            return await BackOffAfterCrashAsync(ex, null) && !_stop.IsCancellationRequested ? await TryStartAsync(false) : null;
        }
        finally
        {
            creating.TrySetResult();
            lock (_gate) _creating = null;
        }
    }

    private async Task<Exception?> WaitAsync(IWorkloadHandle handle)
    {
        try
        {
            await handle.WaitAsync();
            return null;
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    // Returns false when a stop arrived during the wait.
    private async Task<bool> BackOffAfterCrashAsync(Exception crash, IWorkloadHandle? crashed)
    {
        TimeSpan delay;
        lock (_gate)
        {
            Restarts++;
            LastError = crash.Message;
            delay = RestartBackoff.For(Restarts, context.RestartBaseDelay, context.RestartMaxDelay);
        }
        Set(AgentStates.Failed);
        context.RecordFailure(this, true);
        context.Logger.LogWarning("Agent {AgentId} crashed ({Error}); restart {Restart} in {Delay}", Definition.AgentId, crash.Message, Restarts, delay);
        context.Journal?.Invoke(JournalKinds.Restart, Definition.AgentId, $"restart {Restarts} in {delay.TotalSeconds:0.###}s after: {crash.Message}");
        // The crashed workload's remains (a stopped container) go before the next start; its data stays.
        if (crashed is not null) await DestroyQuietlyAsync(crashed, false);
        try
        {
            await Task.Delay(delay, context.Time, _stop.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task DestroyQuietlyAsync(IWorkloadHandle handle, bool removeData)
    {
        try
        {
            await handle.DestroyAsync(removeData);
        }
        catch (Exception ex)
        {
            context.Logger.LogWarning("Agent {AgentId}: could not remove its workload ({Error})", Definition.AgentId, ex.Message);
        }
    }

    // A handle's health or reachability changed: report it when the state shown changes.
    private void ShowChange()
    {
        var shown = View().State;
        lock (_gate)
        {
            if (shown == _lastShown) return;
            _lastShown = shown;
        }
        context.OnStateChanged(this);
    }

    private void Set(string state)
    {
        lock (_gate)
        {
            if (State == state) return;
            State = state;
            _lastShown = state;
        }
        context.OnStateChanged(this);
    }
}
