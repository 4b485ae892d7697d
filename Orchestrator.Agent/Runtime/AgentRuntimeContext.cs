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
    // How often a held lock is looked at again.
    public TimeSpan LockPollInterval { get; init; } = TimeSpan.FromMilliseconds(250);
    // A stop went ahead because the agent still held its lock at max_lock_seconds (agent, how long it waited): the
    // seam the node's journal hooks; the log line "stopped on lock timeout" says the same.
    public Action<SupervisedAgent, TimeSpan>? OnLockTimeout { get; init; }
    // Takes an agent's output lines (agent id, stream, text, the line's own time or null) into its log buffer; none: not captured.
    public Action<string, string, string, DateTimeOffset?>? Log { get; init; }

    // Where an agent's log stands (agent id), kept across node restarts.
    public Func<string, Workloads.LogPosition?>? LogPosition { get; init; }
    // Records a decision the node made on its own in its journal (kind, agent id, detail); none: not journaled.
    public Action<string, string?, string>? Journal { get; init; }
}
