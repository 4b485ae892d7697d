using Orchestrator.Agent.Fencing;

namespace Orchestrator.Agent.Connection;

public enum ManagerLink { Disabled, Connecting, Connected, Unreachable }

// What the node knows about its link to the manager; read by the health check and (next) the assignments loop.
public sealed class ConnectionState : ILeaseClock, Runtime.IManagerContact
{
    private readonly Lock _gate = new();

    public ManagerLink Link { get; private set; } = ManagerLink.Connecting;
    public string? ContainerId { get; private set; }
    public TimeSpan? ManagerHeartbeatInterval { get; private set; }
    public DateTimeOffset? LastContact { get; private set; }
    // When the node sent the last registration or heartbeat the manager accepted: reschedule agents' leases run from here.
    public DateTimeOffset? LeaseStart { get; private set; }
    public FailureCause? LastFailure { get; private set; }
    public long HeartbeatsSent { get; private set; }
    public long AssignmentDeliveries { get; private set; }
    public TimeSpan? LastRoundTrip { get; private set; }
    // Failed calls of any kind since start: sent with each heartbeat for the manager's communication stats.
    public long FailedCalls { get; private set; }

    private TaskCompletionSource _heartbeatWanted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Completes when the assignments loop saw the manager come back: the heartbeat loop then beats early.
    public Task HeartbeatWanted
    {
        get { lock (_gate) return _heartbeatWanted.Task; }
    }

    public void RequestHeartbeat()
    {
        lock (_gate) _heartbeatWanted.TrySetResult();
    }

    // The heartbeat loop calls this as it beats, so the next request wakes it again.
    public void HeartbeatStarted()
    {
        lock (_gate)
        {
            if (_heartbeatWanted.Task.IsCompleted) _heartbeatWanted = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Disabled()
    {
        lock (_gate) Link = ManagerLink.Disabled;
    }

    public void Registered(string containerId, TimeSpan? interval, DateTimeOffset at, DateTimeOffset? sentAt = null)
    {
        lock (_gate)
        {
            ContainerId = containerId;
            LeaseStart = sentAt ?? at;
            ManagerHeartbeatInterval = interval ?? ManagerHeartbeatInterval;
            Contacted(at);
        }
    }

    public void HeartbeatAccepted(TimeSpan? interval, DateTimeOffset at, TimeSpan roundTrip = default)
    {
        lock (_gate)
        {
            LastRoundTrip = roundTrip;
            LeaseStart = at - roundTrip;
            HeartbeatsSent++;
            ManagerHeartbeatInterval = interval ?? ManagerHeartbeatInterval;
            Contacted(at);
        }
    }

    public void Forgotten()
    {
        lock (_gate) ContainerId = null;
    }

    public void Failed(FailureCause cause)
    {
        lock (_gate)
        {
            FailedCalls++;
            LastFailure = cause;
            Link = ManagerLink.Unreachable;
        }
    }

    // The long-poll answered: the manager is reachable, whatever the heartbeat loop last saw.
    public void AssignmentsReceived(DateTimeOffset at)
    {
        lock (_gate)
        {
            AssignmentDeliveries++;
            if (ContainerId is not null) Contacted(at);
        }
    }

    public void AssignmentFailed(FailureCause cause)
    {
        lock (_gate)
        {
            FailedCalls++;
            LastFailure = cause;
            Link = ManagerLink.Unreachable;
        }
    }

    private void Contacted(DateTimeOffset at)
    {
        LastContact = at;
        LastFailure = null;
        Link = ManagerLink.Connected;
    }
}
