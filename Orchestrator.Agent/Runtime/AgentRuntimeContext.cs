namespace Orchestrator.Agent.Runtime;

// What a supervised agent needs from its supervisor: timing settings, clock, logging and callbacks.
public sealed class AgentRuntimeContext
{
    public required TimeProvider Time { get; init; }
    public required ILogger Logger { get; init; }
    public required TimeSpan StopTimeout { get; init; }
    public required TimeSpan RestartBaseDelay { get; init; }
    public required TimeSpan RestartMaxDelay { get; init; }
    public required Action<SupervisedAgent> OnStateChanged { get; init; }
    public required Action<SupervisedAgent> OnEnded { get; init; }
    public required Action<SupervisedAgent, bool> RecordFailure { get; init; }
    // Takes an agent's output lines (agent id, stream, text, the line's own time or null) into its log buffer; none: not captured.
    public Action<string, string, string, DateTimeOffset?>? Log { get; init; }

    // Where an agent's log stands (agent id), kept across node restarts.
    public Func<string, Workloads.LogPosition?>? LogPosition { get; init; }
}
