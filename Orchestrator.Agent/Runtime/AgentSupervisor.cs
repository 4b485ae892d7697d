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

    public AgentSupervisor(WorkloadDrivers drivers, IOptions<RuntimeOptions> runtime, IOptions<NodeOptions> node,
        TimeProvider time, RuntimeTelemetry telemetry, ILogger<AgentSupervisor> logger, Logs.AgentLogs? logs = null)
    {
        _drivers = drivers;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
        _maxAgents = node.Value.MaxAgents;
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
        };
        telemetry.ObserveAgents(Agents);
    }

    // Raised on every state change; the manager's agent reports hang off this.
    public event Action<AgentStatus>? StateChanged;

    public int MaxAgents => _maxAgents;

    public IReadOnlyList<AgentStatus> Agents()
    {
        lock (_gate) return _agents.Values.Select(a => a.View()).Concat(_held.Values).OrderBy(a => a.AgentId, StringComparer.Ordinal).ToList();
    }

    public AgentStatus? Find(string agentId)
    {
        lock (_gate) return _agents.TryGetValue(agentId, out var agent) ? agent.View() : _held.GetValueOrDefault(agentId);
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
            var wanted = desired.Where(d => !held.ContainsKey(d.AgentId))
                .GroupBy(d => d.AgentId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
            List<SupervisedAgent> leaving;
            lock (_gate)
            {
                leaving = _agents.Values.Where(a => !wanted.TryGetValue(a.Definition.AgentId, out var d) || !d.SameAs(a.Definition)).ToList();
                foreach (var agent in leaving) _agents.Remove(agent.Definition.AgentId);
            }
            // Gone from the desired set: deleted, so its data goes too; held or changed: it keeps its data.
            var stillDesired = desired.Select(d => d.AgentId).ToHashSet(StringComparer.Ordinal);
            await Task.WhenAll(leaving.Select(a => a.StopAsync(removeData: !stillDesired.Contains(a.Definition.AgentId) && !KeepsData(a.Definition))));
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
                newlyHeld = _held.Values.Where(v => !before.TryGetValue(v.AgentId, out var was) || was.State != v.State).ToList();
                foreach (var agent in _agents.Values)
                {
                    if (agent.Note(verdicts.Notes.GetValueOrDefault(agent.Definition.AgentId))) newlyHeld.Add(agent.View());
                }
            }
            foreach (var view in newlyHeld) StateChanged?.Invoke(view);
            Admit();
            await RemoveUndesiredAsync(desired, cancellationToken);
        }
        finally
        {
            _reconcile.Release();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // The node stops: in-process agents stop with it, workloads that outlive it (containers) keep running.
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        List<SupervisedAgent> all;
        lock (_gate) all = [.. _agents.Values];
        await Task.WhenAll(all.Select(a => a.DetachOrStopAsync()));
    }

    // keep_volume: the agent's data volume outlives its deletion.
    private static bool KeepsData(AgentDefinition definition) =>
        definition.AgentConfig?["keep_volume"] is System.Text.Json.Nodes.JsonValue keep && keep.TryGetValue<bool>(out var on) && on;

    // Each driver removes what it left for agents no longer desired (never anything it did not create).
    private async Task RemoveUndesiredAsync(IReadOnlyCollection<AgentDefinition> desired, CancellationToken cancellationToken)
    {
        var ids = desired.Select(d => d.AgentId).ToHashSet(StringComparer.Ordinal);
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
            var active = _agents.Values.Count(a => a.IsActive);
            foreach (var agent in _agents.Values.Where(a => a.IsPending).OrderBy(a => a.Definition.AgentId, StringComparer.Ordinal))
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
