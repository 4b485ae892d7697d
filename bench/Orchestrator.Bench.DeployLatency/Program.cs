using Orchestrator.Bench.DeployLatency;

// Deploy-to-running latency in a real local cluster: redis-server, the manager and N orchestrators as
// real processes on this machine. Each deploy is timed from the call until the agent is `running` on its
// orchestrator's own local API. Usage: deploy-latency <artifacts dir> [deploys=100] [orchestrators=2]
if (args.Length < 1 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: deploy-latency <artifacts dir with manager/ and agent/ builds> [deploys] [orchestrators]");
    return 2;
}
var deploys = args.Length > 1 && int.TryParse(args[1], out var d) && d > 0 ? d : 100;
var orchestrators = args.Length > 2 && int.TryParse(args[2], out var o) && o > 0 ? o : 2;

await using var cluster = await LocalCluster.StartAsync(args[0], orchestrators);
var result = await DeployLatencyRun.RunAsync(cluster, deploys);
Console.WriteLine(result.ToMarkdown(deploys, orchestrators));
return 0;
