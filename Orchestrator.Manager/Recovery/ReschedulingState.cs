namespace Orchestrator.Manager.Recovery;

// What this replica's rescheduler last did, for its health check and gauge.
public sealed class ReschedulingState
{
    public bool Paused { get; private set; }
    public string? PauseReason { get; private set; }
    public DateTimeOffset? LastPassAt { get; private set; }
    public long Moved { get; private set; }

    public void Passed(DateTimeOffset at, bool paused, string? reason, int moved)
    {
        LastPassAt = at;
        Paused = paused;
        PauseReason = reason;
        Moved += moved;
    }
}
