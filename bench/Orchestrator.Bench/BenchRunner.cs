using Orchestrator.Bench.Options;
using Orchestrator.Bench.Scenarios;

namespace Orchestrator.Bench;

public static class BenchRunner
{
    public static async Task<int> RunAsync(BenchSettings settings, CancellationToken cancellationToken)
    {
        var work = Directory.CreateTempSubdirectory("orchestrator-bench-").FullName;
        var context = new BenchContext(settings, work);
        if (settings.Scenarios.Contains("fleet"))
        {
            var fleet = await new FleetScenario(context).RunAsync(cancellationToken);
            Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(fleet));
        }
        return 0;
    }
}
