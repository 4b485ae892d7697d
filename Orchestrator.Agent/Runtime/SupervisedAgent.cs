using System.Text.Json.Nodes;

namespace Orchestrator.Agent.Runtime;

// One agent under supervision: creates its workload, watches it, restarts it with backoff when it
// crashes, and stops it gracefully (a deadline, then Kill). A config error fails it for good.
public sealed class SupervisedAgent(AgentDefinition definition, IAgentType? type, string? typeError, AgentRuntimeContext context)
{
    private readonly string? _typeError = typeError;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private IAgentWorkload? _workload;
    private Task? _loop;

    public AgentDefinition Definition { get; } = definition;
    public AgentState State { get; private set; } = AgentState.Pending;
    public DateTimeOffset? StartedAt { get; private set; }
    public int Restarts { get; private set; }
    // Cut to 1 KiB: it travels in every heartbeat and report.
    public string? LastError { get => _lastError; private set => _lastError = TextCut.ToLimit(value); }

    private string? _lastError = TextCut.ToLimit(typeError);

    // Started and still supervised (running, starting, or waiting to restart): counts against max_agents.
    public bool IsActive => _loop is { IsCompleted: false } && State != AgentState.Stopping;

    public bool IsPending => _loop is null && State == AgentState.Pending;

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

    public async Task StopAsync()
    {
        Task? loop;
        lock (_gate)
        {
            loop = _loop;
            if (loop is null || loop.IsCompleted)
            {
                if (State != AgentState.Failed) Set(AgentState.Stopped);
                return;
            }
            Set(AgentState.Stopping);
        }
        await _stop.CancelAsync();
        var deadline = Task.Delay(context.StopTimeout, context.Time);
        if (await Task.WhenAny(loop, deadline) != loop)
        {
            context.Logger.LogWarning("Agent {AgentId} did not stop within {Timeout}; killing it", Definition.AgentId, context.StopTimeout);
            _workload?.Kill();
        }
        Set(AgentState.Stopped);
    }

    public AgentView View()
    {
        lock (_gate)
        {
            return new AgentView(Definition.AgentId, Definition.AgentType, State, StartedAt, Restarts, LastError, Definition.Epoch,
                _workload?.Figures() ?? []);
        }
    }

    private async Task RunLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Set(AgentState.Starting);
            if (!TryCreate(out var workload)) break;
            lock (_gate)
            {
                _workload = workload;
                StartedAt = context.Time.GetUtcNow();
            }
            Set(AgentState.Running);
            var crash = await RunWorkloadAsync(workload);
            if (_stop.IsCancellationRequested) return;
            if (crash is null)
            {
                context.Logger.LogInformation("Agent {AgentId} ended on its own", Definition.AgentId);
                Set(AgentState.Stopped);
                break;
            }
            if (!await BackOffAfterCrashAsync(crash)) return;
        }
        context.OnEnded(this);
    }

    private bool TryCreate(out IAgentWorkload workload)
    {
        workload = null!;
        try
        {
            workload = (type ?? throw new AgentConfigException(_typeError ?? "unknown agent type")).Create(Definition);
            return true;
        }
        catch (AgentConfigException ex)
        {
            context.Logger.LogWarning("Agent {AgentId} ({AgentType}) refused: {Error}", Definition.AgentId, Definition.AgentType, ex.Message);
            lock (_gate) LastError = ex.Message;
            Set(AgentState.Failed);
            context.RecordFailure(this, false);
            return false;
        }
    }

    private async Task<Exception?> RunWorkloadAsync(IAgentWorkload workload)
    {
        try
        {
            await workload.RunAsync(_stop.Token);
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
    private async Task<bool> BackOffAfterCrashAsync(Exception crash)
    {
        TimeSpan delay;
        lock (_gate)
        {
            Restarts++;
            LastError = crash.Message;
            delay = RestartBackoff.For(Restarts, context.RestartBaseDelay, context.RestartMaxDelay);
        }
        Set(AgentState.Failed);
        context.RecordFailure(this, true);
        context.Logger.LogWarning("Agent {AgentId} crashed ({Error}); restart {Restart} in {Delay}", Definition.AgentId, crash.Message, Restarts, delay);
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

    private void Set(AgentState state)
    {
        lock (_gate)
        {
            if (State == state) return;
            State = state;
        }
        context.OnStateChanged(this);
    }
}
