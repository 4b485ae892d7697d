namespace Orchestrator.Manager.Options;

public static class ManagerOptionsExtensions
{
    // heartbeat_interval on the wire is whole seconds.
    public static int HeartbeatSeconds(this ManagerOptions options) =>
        (int)Math.Max(1, Math.Round(options.HeartbeatInterval.TotalSeconds));
}
