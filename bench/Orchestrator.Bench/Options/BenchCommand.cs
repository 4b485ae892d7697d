using System.CommandLine;
using System.Globalization;

namespace Orchestrator.Bench.Options;

// The command line: --short picks the short preset, every other option overrides one value of it.
public static class BenchCommand
{
    private static readonly Option<bool> ShortRun = new("--short") { Description = "Short run of every scenario (the README command, under 3 minutes)" };
    private static readonly Option<bool> Merge = new("--merge") { Description = "Keep the scenarios of the existing results.json in --out that this run does not repeat" };
    private static readonly Option<string?> Scenarios = new("--scenarios") { Description = "Comma-separated: heartbeats,fleet,deploy,reconnect,redis (default: all)" };
    private static readonly Option<string?> Out = new("--out") { Description = "Where results.md, results.json and the charts go" };
    private static readonly Option<string?> ManagerDll = new("--manager-dll") { Description = "Built Orchestrator.Manager.dll (Release)" };
    private static readonly Option<string?> CeilingDll = new("--ceiling-dll") { Description = "Built Orchestrator.Bench.Ceiling.dll (Release)" };
    private static readonly Option<int?> Connections = new("--connections") { Description = "Pooled HTTP connections for short calls" };
    private static readonly Option<int?> Seed = new("--seed") { Description = "Seed for the jittered start offsets" };
    private static readonly Option<int?> HbClusters = new("--hb-clusters") { Description = "heartbeats: simulated clusters" };
    private static readonly Option<double?> HbWarmup = new("--hb-warmup") { Description = "heartbeats: seconds before each measured step" };
    private static readonly Option<double?> HbDuration = new("--hb-duration") { Description = "heartbeats: measured seconds per step" };
    private static readonly Option<string?> HbFractions = new("--hb-fractions") { Description = "heartbeats: offered rates as fractions of the ceiling's saturated rate" };
    private static readonly Option<int?> HbConcurrency = new("--hb-concurrency") { Description = "heartbeats: closed-loop workers for the saturation step" };
    private static readonly Option<string?> FleetSteps = new("--fleet-steps") { Description = "fleet: registered-cluster counts, e.g. 1000,10000,50000,100000" };
    private static readonly Option<double?> FleetInterval = new("--fleet-interval") { Description = "fleet/deploy: HEARTBEAT_INTERVAL in seconds" };
    private static readonly Option<int?> ReadSamples = new("--read-samples") { Description = "fleet: GET /status and GET /containers calls per step" };
    private static readonly Option<int?> RegisterConcurrency = new("--register-concurrency") { Description = "Concurrent registrations" };
    private static readonly Option<int?> DeployClusters = new("--deploy-clusters") { Description = "deploy: simulated clusters" };
    private static readonly Option<int?> Deploys = new("--deploys") { Description = "deploy: agents deployed" };
    private static readonly Option<double?> DeployBudget = new("--deploy-budget") { Description = "deploy: longest deploy phase in seconds" };
    private static readonly Option<int?> DeployConcurrency = new("--deploy-concurrency") { Description = "deploy: concurrent operator calls" };
    private static readonly Option<int?> ReadAgents = new("--read-agents") { Description = "deploy: agents topped up to before sampling GET /cluster/agents and /metrics/distribution" };
    private static readonly Option<int?> ReconnectClusters = new("--reconnect-clusters") { Description = "reconnect: simulated clusters" };
    private static readonly Option<double?> ReconnectInterval = new("--reconnect-interval") { Description = "reconnect: HEARTBEAT_INTERVAL in seconds" };
    private static readonly Option<bool?> ReconnectLongPoll = new("--reconnect-long-poll") { Description = "reconnect: hold each cluster's assignment long-poll open" };
    private static readonly Option<string[]> ManagerEnv = new("--manager-env") { Description = "Extra KEY=VALUE for the manager's environment (repeatable), for A/B profiling" };
    private static readonly Option<int?> RedisRequests = new("--redis-requests") { Description = "redis: requests per redis-benchmark command" };

    public static RootCommand Create(Func<BenchSettings, CancellationToken, Task<int>> run)
    {
        var root = new RootCommand("Fleet simulator: measures the manager against a bare-Kestrel ceiling on the same machine");
        foreach (var option in new Option[]
                 {
                     ShortRun, Merge, Scenarios, Out, ManagerDll, CeilingDll, Connections, Seed, HbClusters, HbWarmup, HbDuration, HbFractions,
                     HbConcurrency, FleetSteps, FleetInterval, ReadSamples, RegisterConcurrency, DeployClusters, Deploys,
                     DeployConcurrency, DeployBudget, ReadAgents, ReconnectClusters, ReconnectInterval, ReconnectLongPoll, RedisRequests, ManagerEnv,
                 })
            root.Options.Add(option);
        root.SetAction(async (parse, cancellationToken) =>
        {
            var errors = new List<string>();
            var settings = Bind(parse, errors);
            errors.AddRange(settings.Validate());
            if (errors.Count == 0) return await run(settings, cancellationToken);
            foreach (var error in errors) Console.Error.WriteLine($"error: {error}");
            return 2;
        });
        return root;
    }

    private static BenchSettings Bind(ParseResult p, List<string> errors)
    {
        var s = p.GetValue(ShortRun) ? BenchSettings.ShortPreset : new BenchSettings();
        return s with
        {
            Merge = p.GetValue(Merge),
            Scenarios = p.GetValue(Scenarios) is { } list ? Split(list) : s.Scenarios,
            OutputDirectory = p.GetValue(Out) ?? s.OutputDirectory,
            ManagerDll = p.GetValue(ManagerDll) ?? s.ManagerDll,
            CeilingDll = p.GetValue(CeilingDll) ?? s.CeilingDll,
            Connections = p.GetValue(Connections) ?? s.Connections,
            Seed = p.GetValue(Seed) ?? s.Seed,
            HeartbeatClusters = p.GetValue(HbClusters) ?? s.HeartbeatClusters,
            HeartbeatWarmup = Seconds(p.GetValue(HbWarmup)) ?? s.HeartbeatWarmup,
            HeartbeatDuration = Seconds(p.GetValue(HbDuration)) ?? s.HeartbeatDuration,
            LoadFractions = p.GetValue(HbFractions) is { } f ? Numbers<double>("--hb-fractions", f, double.Parse, errors) : s.LoadFractions,
            SaturationConcurrency = p.GetValue(HbConcurrency) ?? s.SaturationConcurrency,
            FleetSteps = p.GetValue(FleetSteps) is { } steps ? Numbers<int>("--fleet-steps", steps, int.Parse, errors) : s.FleetSteps,
            FleetInterval = Seconds(p.GetValue(FleetInterval)) ?? s.FleetInterval,
            ReadSamples = p.GetValue(ReadSamples) ?? s.ReadSamples,
            RegisterConcurrency = p.GetValue(RegisterConcurrency) ?? s.RegisterConcurrency,
            DeployClusters = p.GetValue(DeployClusters) ?? s.DeployClusters,
            Deploys = p.GetValue(Deploys) ?? s.Deploys,
            DeployConcurrency = p.GetValue(DeployConcurrency) ?? s.DeployConcurrency,
            DeployBudget = Seconds(p.GetValue(DeployBudget)) ?? s.DeployBudget,
            ReadAgents = p.GetValue(ReadAgents) ?? s.ReadAgents,
            ReconnectClusters = p.GetValue(ReconnectClusters) ?? s.ReconnectClusters,
            ReconnectInterval = Seconds(p.GetValue(ReconnectInterval)) ?? s.ReconnectInterval,
            ReconnectLongPoll = p.GetValue(ReconnectLongPoll) ?? s.ReconnectLongPoll,
            RedisRequests = p.GetValue(RedisRequests) ?? s.RedisRequests,
            ManagerEnvironment = Pairs(p.GetValue(ManagerEnv) ?? [], errors),
        };
    }

    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static Dictionary<string, string> Pairs(string[] items, List<string> errors)
    {
        var pairs = new Dictionary<string, string>();
        foreach (var item in items)
        {
            var equals = item.IndexOf('=');
            if (equals <= 0) errors.Add($"--manager-env: '{item}' is not KEY=VALUE");
            else pairs[item[..equals]] = item[(equals + 1)..];
        }
        return pairs;
    }

    private static TimeSpan? Seconds(double? value) => value is { } v ? TimeSpan.FromSeconds(v) : null;

    private static T[] Numbers<T>(string option, string list, Func<string, IFormatProvider, T> parse, List<string> errors)
    {
        try
        {
            return [.. Split(list).Select(item => parse(item, CultureInfo.InvariantCulture))];
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            errors.Add($"{option}: '{list}' is not a comma-separated list of numbers");
            return [];
        }
    }
}
