namespace Orchestrator.Testing.Cluster;

// The orchestrator's environment exactly as the seed's docker-compose.orchestrator.yml sets it
// (ORCHESTRATOR_ID=1), with the manager URL, port and data directory pointed at the test's own.
public static class SeedVariables
{
    public static Dictionary<string, string> Compose(string managerUrl, int agentPort, string dataDirectory) => new()
    {
        ["AGENT_ID"] = "orchestrator-1-agent",
        ["AGENT_TYPE"] = "orchestrator_cluster",
        ["AGENT_PORT"] = agentPort.ToString(),
        ["REDIS_URL"] = "redis://127.0.0.1:6379",
        ["CENTRAL_MANAGER_URL"] = managerUrl,
        ["ADMIN_PASSWORD"] = "your-production-admin-password",
        ["CONTAINER_NAME"] = "orchestrator-1-cluster",
        ["EXTERNAL_IP"] = "127.0.0.1",
        ["AGENT_CONFIG"] = """{"capabilities":["agent_runner","orchestrator_cluster"],"max_agents":10,"orchestrator_id":1}""",
        ["AUTO_REGISTER"] = "true",
        ["HEARTBEAT_INTERVAL"] = "30",
        ["DATA_DIR"] = dataDirectory,
    };

    // The seed's variables with its shared-password flow switched on: a node that logs in with ADMIN_PASSWORD.
    public static Dictionary<string, string> SharedPasswordCompose(string managerUrl, int agentPort, string dataDirectory)
    {
        var environment = Compose(managerUrl, agentPort, dataDirectory);
        environment["ALLOW_SHARED_PASSWORD_NODES"] = "true";
        return environment;
    }
}
