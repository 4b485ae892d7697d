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
    // Takes an agent's output lines (agent id, stream, text) into its log buffer; none: not captured.
    public Action<string, string, string>? Log { get; init; }
    // Records a decision the node made on its own in its journal (kind, agent id, detail); none: not journaled.
    public Action<string, string?, string>? Journal { get; init; }
}
