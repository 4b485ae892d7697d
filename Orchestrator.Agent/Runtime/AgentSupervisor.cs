using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Workloads;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Runtime;

// Owns every agent on this node. Reconcile is the single way to change what runs: the local state
// file and (next) the manager's assignments both feed it. At most max_agents run at once; the rest wait.
public sealed class AgentSupervisor : IHostedService
{
    private static readonly TimeSpan FailureWindow = TimeSpan.FromMinutes(10);

    private readonly WorkloadDrivers _drivers;
    private readonly AgentRuntimeContext _context;
    private readonly RuntimeTelemetry _telemetry;
    private readonly TimeProvider _time;
    private readonly int _maxAgents;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _reconcile = new(1, 1);
    private readonly Dictionary<string, SupervisedAgent> _agents = new(StringComparer.Ordinal);
    private readonly Queue<DateTimeOffset> _failures = new();
    // Desired agents held out by the lease fence: shown (and reported) as stopped, with the reason.
    private Dictionary<string, AgentStatus> _held = new(StringComparer.Ordinal);
    // Started agents on their way out (deleted, changed, desired_state stopped): each waits for its update lock, then
    // stops, in the background so the reconcile, heartbeats and other agents carry on. Its successor under the same
    // id is not started, nor is its stop reported, until it is gone.
    private readonly Dictionary<string, (SupervisedAgent Agent, Task Gone)> _leaving = new(StringComparer.Ordinal);
    private readonly TimeSpan _maxLockWait;
    private readonly NodeJournal? _journal;

    public AgentSupervisor(WorkloadDrivers drivers, IOptions<RuntimeOptions> runtime, IOptions<NodeOptions> node,
        TimeProvider time, RuntimeTelemetry telemetry, ILogger<AgentSupervisor> logger, Logs.AgentLogs? logs = null,
        NodeJournal? journal = null)
    {
        _drivers = drivers;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
        _maxAgents = node.Value.MaxAgents;
        _maxLockWait = TimeSpan.FromSeconds(runtime.Value.MaxLockSeconds);
        _context = new AgentRuntimeContext
        {
            Time = time,
            Logger = logger,
            StopTimeout = runtime.Value.StopTimeout,
            RestartBaseDelay = runtime.Value.RestartBaseDelay,
            RestartMaxDelay = runtime.Value.RestartMaxDelay,
            OnStateChanged = agent => StateChanged?.Invoke(agent.View()),
            OnEnded = _ => Admit(),
            RecordFailure = RecordFailure,
            Log = logs is null ? null : logs.Append,
            LogPosition = logs is null ? null : id => logs.Of(id)?.Position,
            Journal = journal is null ? null : (kind, agentId, detail) => journal.Record(kind, agentId, detail),
            // A stop that went ahead because the lock outlived max_lock_seconds is the node's own decision: journaled.
            OnLockTimeout = journal is null ? null : (agent, waited) =>
                journal.Record(JournalKinds.LockTimeout, agent.Definition.AgentId, $"stopped on lock timeout: the update lock was still held after {waited.TotalSeconds:0} s"),
        };
        _journal = journal;
        telemetry.ObserveAgents(Agents);
    }

    // Raised on every state change; the manager's agent reports hang off this.
    public event Action<AgentStatus>? StateChanged;

    public int MaxAgents => _maxAgents;

    public IReadOnlyList<AgentStatus> Agents()
    {
        lock (_gate)
            return _agents.Values.Where(a => !_leaving.ContainsKey(a.Definition.AgentId)).Select(a => a.View())
                .Concat(_held.Values.Where(h => !_leaving.ContainsKey(h.AgentId)))
                .Concat(_leaving.Values.Select(l => l.Agent.View()))
                .OrderBy(a => a.AgentId, StringComparer.Ordinal).ToList();
    }

    public AgentStatus? Find(string agentId)
    {
        lock (_gate)
            return _leaving.TryGetValue(agentId, out var leaving) ? leaving.Agent.View()
                : _agents.TryGetValue(agentId, out var agent) ? agent.View() : _held.GetValueOrDefault(agentId);
    }


    // Whether this very definition is already supervised here (started, not held out).
    public bool Runs(AgentDefinition definition)
    {
        lock (_gate) return _agents.TryGetValue(definition.AgentId, out var agent) && agent.Definition.SameAs(definition);
    }

    public int RecentFailures()
    {
        lock (_failures)
        {
            var since = _time.GetUtcNow() - FailureWindow;
            while (_failures.TryPeek(out var oldest) && oldest < since) _failures.Dequeue();
            return _failures.Count;
        }
    }

    // Desired minus running = start; running minus desired = stop; a changed definition is restarted.
    public Task ReconcileAsync(IReadOnlyCollection<AgentDefinition> desired, CancellationToken cancellationToken = default) =>
        ReconcileAsync(desired, new Dictionary<string, string>(), cancellationToken);

    // held: desired agents that must not run now (agent id -> reason); they are stopped and shown as stopped.
    public Task ReconcileAsync(IReadOnlyCollection<AgentDefinition> desired, IReadOnlyDictionary<string, string> held,
        CancellationToken cancellationToken = default) => ReconcileAsync(desired, held, SpecVerdicts.None, cancellationToken);

    // verdicts: the signature check's (SpecGate). Rejected agents are held out like fenced ones but shown as rejected;
    // noted agents run, their failed check shown as last_error.
    public async Task ReconcileAsync(IReadOnlyCollection<AgentDefinition> desired, IReadOnlyDictionary<string, string> fenced,
        SpecVerdicts verdicts, CancellationToken cancellationToken = default)
    {
        await _reconcile.WaitAsync(cancellationToken);
        try
        {
            var held = new Dictionary<string, string>(fenced, StringComparer.Ordinal);
            foreach (var (id, reason) in verdicts.Rejected) held[id] = reason;
            // desired_state "stopped": held out like a fenced agent, data kept, but its update lock is honoured.
            var stoppedByDesire = desired.Where(d => d.StoppedByDesire && !held.ContainsKey(d.AgentId)).Select(d => d.AgentId).ToHashSet(StringComparer.Ordinal);
            foreach (var id in stoppedByDesire) held[id] = "stopped: desired_state stopped (its data is kept)";
            var wanted = desired.Where(d => !held.ContainsKey(d.AgentId))
                .GroupBy(d => d.AgentId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
            var forced = desired.Where(d => d.Force).Select(d => d.AgentId).ToHashSet(StringComparer.Ordinal);
            List<SupervisedAgent> leaving;
            lock (_gate)
            {
                leaving = _agents.Values.Where(a => !wanted.TryGetValue(a.Definition.AgentId, out var d) || !d.SameAs(a.Definition)).ToList();
                foreach (var agent in leaving) _agents.Remove(agent.Definition.AgentId);
                // A force that arrives while an agent waits for its lock lets its stop go ahead now.
                foreach (var (id, (agent, _)) in _leaving) if (forced.Contains(id)) agent.Force();
            }
            // Gone from the desired set: deleted, so its data goes too; held or changed: it keeps its data.
            var stillDesired = desired.Select(d => d.AgentId).ToHashSet(StringComparer.Ordinal);
            var now = new List<Task>();
            foreach (var agent in leaving)
            {
                var id = agent.Definition.AgentId;
                var removeData = !stillDesired.Contains(id) && !KeepsData(agent.Definition);
                // Fenced or rejected: stopped at once, whatever its lock says (it may already run elsewhere).
                // One that holds no lock now stops within this reconcile, as before locks existed.
                var honoursLock = agent.IsActive && !forced.Contains(id) && (!held.ContainsKey(id) || stoppedByDesire.Contains(id))
                    && await agent.HoldsUpdateLockAsync();
                if (!honoursLock) now.Add(agent.StopAsync(removeData));
                else Leave(agent, removeData);
            }
            await Task.WhenAll(now);
            List<AgentStatus> newlyHeld;
            lock (_gate)
            {
                foreach (var definition in wanted.Values.Where(d => !_agents.ContainsKey(d.AgentId))) _agents[definition.AgentId] = Create(definition);
                var before = _held;
                _held = desired.Where(d => held.ContainsKey(d.AgentId)).GroupBy(d => d.AgentId, StringComparer.Ordinal)
                    .Select(g => g.Last())
                    .ToDictionary(d => d.AgentId, d => new AgentStatus(d.AgentId, d.AgentType,
                            verdicts.Rejected.ContainsKey(d.AgentId) ? AgentStates.Rejected : AgentStates.Stopped, null, 0, held[d.AgentId], d.Epoch, []),
                        StringComparer.Ordinal);
                newlyHeld = _held.Values.Where(v => !_leaving.ContainsKey(v.AgentId) && (!before.TryGetValue(v.AgentId, out var was) || was.State != v.State)).ToList();
                foreach (var agent in _agents.Values)
                {
                    if (agent.Note(verdicts.Notes.GetValueOrDefault(agent.Definition.AgentId))) newlyHeld.Add(agent.View());
                }
            }
            // A spec newly refused by the signature check is a decision of this node's own: journaled.
            foreach (var view in newlyHeld.Where(v => v.State == AgentStates.Rejected)) _journal?.Record(JournalKinds.Refuse, view.AgentId, view.LastError ?? "rejected");
            foreach (var view in newlyHeld) StateChanged?.Invoke(view);
            Admit();
            // A desired_state stopped agent's workload is not wanted either (its data is: drivers remove workloads, not
            // data), so one a node restarted in the middle of stopping is not left running unsupervised.
            await RemoveUndesiredAsync(desired.Where(d => !stoppedByDesire.Contains(d.AgentId)).ToList(), cancellationToken);
        }
        finally
        {
            _reconcile.Release();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // The node stops: in-process agents stop with it, workloads that outlive it (containers) keep running. An agent
    // waiting for its lock is left to the next node (a container) or stopped with the node (a process).
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<SupervisedAgent> all;
        lock (_gate) all = [.. _agents.Values.Where(a => !_leaving.ContainsKey(a.Definition.AgentId)), .. _leaving.Values.Select(l => l.Agent)];
        await Task.WhenAll(all.Select(a => a.DetachOrStopAsync()));
    }

    // Waits for the agent's update lock (its own max_lock_seconds capped by MAX_LOCK_SECONDS), then stops it; then
    // lets its successor start and reports what the id shows now.
    private void Leave(SupervisedAgent agent, bool removeData)
    {
        var id = agent.Definition.AgentId;
        var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate) _leaving[id] = (agent, gone.Task);
        _ = Task.Run(async () =>
        {
            try
            {
                await agent.WaitForUpdateLockAsync(UpdateLock.MaxWait(agent.Definition, _maxLockWait));
                await agent.StopAsync(removeData);
            }
            catch (Exception ex)
            {
                _logger.LogWarning("Agent {AgentId}: its stop failed ({Error})", id, ex.Message);
            }
            finally
            {
                lock (_gate) _leaving.Remove(id);
                gone.TrySetResult();
                if (Find(id) is { } now && now.State != AgentStates.Pending) StateChanged?.Invoke(now);
                Admit();
            }
        });
    }

    // keep_volume: the agent's data volume outlives its deletion.
    private static bool KeepsData(AgentDefinition definition) =>
        definition.AgentConfig?["keep_volume"] is System.Text.Json.Nodes.JsonValue keep && keep.TryGetValue<bool>(out var on) && on;

    // Each driver removes what it left for agents no longer desired (never anything it did not create).
    private async Task RemoveUndesiredAsync(IReadOnlyCollection<AgentDefinition> desired, CancellationToken cancellationToken)
    {
        var ids = desired.Select(d => d.AgentId).ToHashSet(StringComparer.Ordinal);
        // An agent still waiting for its lock keeps its workload until it stops.
        lock (_gate) ids.UnionWith(_leaving.Keys);
        foreach (var driver in _drivers.All)
        {
            try
            {
                await driver.RemoveUndesiredAsync(ids, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogWarning("Driver {Driver} could not clean up undesired agents: {Error}", driver.Name, ex.Message);
            }
        }
    }

    private SupervisedAgent Create(AgentDefinition definition)
    {
        // An agent_config the node could not read fails this agent only, when it is started.
        if (definition.ConfigError is { } configError) return new SupervisedAgent(definition, null, configError, _context);
        try
        {
            return new SupervisedAgent(definition, _drivers.Get(definition.AgentType), null, _context);
        }
        catch (AgentConfigException ex)
        {
            // An unknown type fails this agent only, when it is started.
            return new SupervisedAgent(definition, null, ex.Message, _context);
        }
    }

    private void Admit()
    {
        lock (_gate)
        {
            var active = _agents.Values.Count(a => a.IsActive) + _leaving.Count;
            foreach (var agent in _agents.Values.Where(a => a.IsPending && !_leaving.ContainsKey(a.Definition.AgentId)).OrderBy(a => a.Definition.AgentId, StringComparer.Ordinal))
            {
                if (active < _maxAgents)
                {
                    agent.Start();
                    active++;
                }
                else
                {
                    agent.Hold($"waiting: max_agents ({_maxAgents}) agents already run on this node");
                }
            }
        }
    }

    private void RecordFailure(SupervisedAgent agent, bool willRestart)
    {
        lock (_failures) _failures.Enqueue(_time.GetUtcNow());
        _telemetry.Failed(agent.View(), willRestart);
    }
}
