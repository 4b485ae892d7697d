using Orchestrator.Agent.Runtime;
using Orchestrator.Agent.Workloads;

namespace Orchestrator.Agent.Fencing;

// Lease fencing for `reschedule` agents (docs/protocol.md "Fencing"). The lease runs from the moment the
// node sent the last heartbeat (or registration) the manager accepted: the manager's liveness counts from
// when it received that same call, so the node's clock never starts later than the manager's. A lapsed
// lease fences the agent and voids its confirmation; it runs again only when a long-poll answer lists it
// with the same epoch and the lease is valid again. `keep` agents are never fenced.
public sealed class LeaseFence(ILeaseClock connection, TimeProvider time, FencingTelemetry telemetry, ILogger<LeaseFence> logger,
    NodeJournal? journal = null) : IAgentFence
{
    public const string Reschedule = "reschedule";

    // Used when a reschedule assignment comes without lease_seconds (the manager's default lease).
    public static readonly TimeSpan DefaultLease = TimeSpan.FromSeconds(60);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _confirmed = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, string> _held = new Dictionary<string, string>();

    // Agents held out of the supervisor right now, with the reason shown for them.
    public IReadOnlyDictionary<string, string> Held => _held;

    // A long-poll answer: the manager's current word on what this container runs.
    public void Confirm(IEnumerable<AgentDefinition> listed)
    {
        lock (_gate)
        {
            _confirmed.Clear();
            foreach (var agent in listed.Where(a => a.OnClusterLoss == Reschedule)) _confirmed[agent.AgentId] = agent.Epoch;
        }
    }

    // True when Decide would hold a different set than it last did (the service then reconciles again).
    public bool WouldChange(IEnumerable<AgentDefinition> agents)
    {
        var next = Compute(agents);
        var current = _held;
        return next.Count != current.Count || next.Keys.Any(id => !current.ContainsKey(id));
    }

    // Called by the coordinator for every reconcile: which agents to hold out, logging what changed.
    public IReadOnlyDictionary<string, string> Decide(IEnumerable<AgentDefinition> agents)
    {
        var next = Compute(agents);
        var before = _held;
        foreach (var (id, reason) in next.Where(h => !before.ContainsKey(h.Key)))
        {
            logger.LogWarning("Fenced agent {AgentId}: {Reason}", id, reason);
            telemetry.Fenced();
            // The node's own decision, made without the manager: journaled, uploaded once it is back.
            journal?.Record(Protocol.JournalKinds.Fence, id, reason);
        }
        foreach (var id in before.Keys.Where(id => !next.ContainsKey(id)))
        {
            logger.LogInformation("Agent {AgentId} is no longer fenced", id);
            telemetry.Released();
        }
        _held = next;
        return next;
    }

    private Dictionary<string, string> Compute(IEnumerable<AgentDefinition> agents)
    {
        var now = time.GetUtcNow();
        var leaseStart = connection.LeaseStart;
        var held = new Dictionary<string, string>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var agent in agents.Where(a => a.OnClusterLoss == Reschedule))
            {
                var lease = agent.LeaseSeconds is > 0 and var s ? TimeSpan.FromSeconds(s) : DefaultLease;
                if (leaseStart is null)
                    held[agent.AgentId] = "fenced: the manager has not confirmed this assignment since the node started";
                else if (now - leaseStart.Value > lease)
                {
                    _confirmed.Remove(agent.AgentId);
                    held[agent.AgentId] = $"fenced: no contact with the manager for over {lease.TotalSeconds:0.#}s (lease_seconds)";
                }
                else if (!_confirmed.TryGetValue(agent.AgentId, out var epoch) || epoch != agent.Epoch)
                    held[agent.AgentId] = $"fenced: waiting for the manager to confirm epoch {agent.Epoch}";
            }
        }
        return held;
    }
}
