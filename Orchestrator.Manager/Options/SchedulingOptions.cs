namespace Orchestrator.Manager.Options;

// How agents are placed and delivered. Bound from "Scheduling"; validated by SchedulingOptionsValidator.
public sealed class SchedulingOptions
{
    public const string SectionName = "Scheduling";

    // The capability a container must offer to run an agent type. Types not listed need a capability
    // named like the type itself, so a customer's plug-in type is placed only where it is installed.
    public Dictionary<string, string> TypeCapabilities { get; set; } = new(StringComparer.Ordinal)
    {
        ["trading_agent"] = "agent_runner",
        ["process"] = "agent_runner",
    };

    public int MaxReplicas { get; set; } = 100;

    // How long a deploy response is kept under its Idempotency-Key.
    public TimeSpan IdempotencyRetention { get; set; } = TimeSpan.FromHours(24);

    // Longest an orchestrator's assignments long-poll is held open.
    public TimeSpan MaxLongPoll { get; set; } = TimeSpan.FromSeconds(60);

    // reschedule agents: an orchestrator that has not reached the manager for this long stops them itself.
    public TimeSpan AgentLease { get; set; } = TimeSpan.FromSeconds(60);

    // reschedule agents move once their container has been lost for this long (must exceed the lease).
    public TimeSpan RescheduleAfter { get; set; } = TimeSpan.FromSeconds(90);

    // Placement plans from an in-process snapshot of the fleet no older than this, instead of reading every
    // container per deploy; the commit script's own check makes a stale plan fail and retry, never overfill.
    public TimeSpan CandidateMaxAge { get; set; } = TimeSpan.FromSeconds(1);

    // How long capacity reserved by a deploy spanning several containers is held if its manager dies before
    // committing; a live deploy commits within milliseconds.
    public TimeSpan ReservationTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public string RequiredCapability(string agentType) =>
        TypeCapabilities.TryGetValue(agentType, out var capability) ? capability : agentType;
}
