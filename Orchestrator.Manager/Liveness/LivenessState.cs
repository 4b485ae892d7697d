namespace Orchestrator.Manager.Liveness;

// What the liveness monitor last did, for its health check.
public sealed class LivenessState
{
    public bool IsLeader { get; private set; }
    public DateTimeOffset? LastPassAt { get; private set; }
    public string? LastError { get; private set; }

    public void Passed(bool isLeader, DateTimeOffset at)
    {
        IsLeader = isLeader;
        LastPassAt = at;
        LastError = null;
    }

    public void Failed(string error) => LastError = error;
}
