namespace Orchestrator.Manager.Redis;

public static class ContainerStatus
{
    public const string Healthy = "healthy";
    public const string Unhealthy = "unhealthy";
    public const string Lost = "lost";

    public static readonly IReadOnlyList<string> All = [Healthy, Unhealthy, Lost];
}
