namespace Orchestrator.Manager.Redis;

public static class ContainerStatus
{
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
    public const string Lost = "lost";
    // An admin revoked its credential: it can no longer act, and its agents are handled as if it were lost.
    public const string Revoked = "revoked";

    public static readonly IReadOnlyList<string> All = [Healthy, Unhealthy, Lost, Revoked];
}
