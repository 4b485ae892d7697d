namespace Orchestrator.Testing.Cluster;

// A manager replica (the built Orchestrator.Manager dll) on its own port, sharing the cluster's Redis.
public sealed class ManagerNode(int index, ProcessCluster cluster) : ClusterNode($"manager-{index}", cluster.Options.ManagerDll, FreePort.Next())
{
    public int Index { get; } = index;

    protected override Dictionary<string, string> Environment()
    {
        var options = cluster.Options;
        var environment = new Dictionary<string, string>
        {
            ["REDIS_URL"] = cluster.RedisUrl,
            ["JWT_SECRET"] = ProcessCluster.JwtSecret,
            ["MASTER_SECRET_KEY"] = "a-test-master-secret-key-of-at-least-32-characters",
            ["ADMIN_PASSWORD"] = ProcessCluster.AdminPassword,
            ["BOOTSTRAP_ENROLLMENT_TOKEN"] = ProcessCluster.BootstrapToken,
            ["BOOTSTRAP_ENROLLMENT_ORCHESTRATOR_IDS"] = ProcessCluster.BootstrapOrchestratorIds,
            ["HEARTBEAT_INTERVAL"] = options.HeartbeatSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Manager__LivenessCheckPeriod"] = options.LivenessCheckPeriod.ToString("c"),
            ["Manager__LoginFailureLimit"] = "1000",
            ["Scheduling__AgentLease"] = options.AgentLease.ToString("c"),
            ["Scheduling__RescheduleAfter"] = options.RescheduleAfter.ToString("c"),
        };
        foreach (var (key, value) in options.ManagerEnvironment) environment[key] = value;
        return environment;
    }
}
