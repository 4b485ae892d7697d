using Orchestrator.Bench.DeployLatency;
using Orchestrator.Testing.Cluster;
using Orchestrator.Testing.Hosting;

// Deploy-to-running latency in a real local cluster: redis-server, the manager and N orchestrators as
// real processes on this machine. Each deploy is timed from the call until the agent is `running` on its
// orchestrator's own local API. Usage: deploy-latency <artifacts dir> [deploys=100] [orchestrators=2]
if (args.Length < 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: deploy-latency <artifacts dir with manager/ and agent/ builds> [deploys] [orchestrators]");
    return 2;
}
// Absolute: the child processes start in directories of their own.
var artifacts = Path.GetFullPath(args[0]);
var deploys = args.Length > 1 && int.TryParse(args[1], out var d) && d > 0 ? d : 100;
var orchestrators = args.Length > 2 && int.TryParse(args[2], out var o) && o > 0 ? o : 2;

// Production settings and quiet logs, except what a cluster needs to come up quickly; orchestrators dial the
// manager directly (no relay hop in the measured path).
Dictionary<string, string> quiet = new() { ["ASPNETCORE_ENVIRONMENT"] = "Production", ["Logging__LogLevel__Default"] = "Warning" };
await using var cluster = await ProcessCluster.StartAsync(new ProcessClusterOptions
{
    Orchestrators = orchestrators,
    ManagerDll = Path.Combine(artifacts, "manager", "Orchestrator.Manager.dll"),
    NodeDll = Path.Combine(artifacts, "agent", "Orchestrator.Agent.dll"),
    DirectToManagers = true,
    Redis = new RedisHostOptions { AppendOnly = false },
    HeartbeatSeconds = 2,
    LivenessCheckPeriod = TimeSpan.FromSeconds(5),
    AgentLease = TimeSpan.FromSeconds(60),
    RescheduleAfter = TimeSpan.FromSeconds(90),
    ManagerEnvironment = quiet,
    OrchestratorEnvironment = new(quiet) { ["Manager__LongPollWait"] = "00:00:25", ["Manager__RequestTimeout"] = "00:00:10" },
});
var result = await DeployLatencyRun.RunAsync(cluster, deploys);
Console.WriteLine(result.ToMarkdown(deploys, orchestrators));
return 0;
