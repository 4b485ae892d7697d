namespace Orchestrator.Bench.Options;

// Everything one run uses. Two presets (short: the README's under-3-minutes run; full: the
// committed figures); any command-line option overrides its preset value.
public sealed record BenchSettings
{
    public static readonly string[] AllScenarios = ["heartbeats", "fleet", "deploy", "reconnect", "redis"];

    public bool Short { get; init; }
    // Keep the scenarios of the results.json already in the output directory that this run does not repeat.
    public bool Merge { get; init; }
    public IReadOnlyList<string> Scenarios { get; init; } = AllScenarios;
    public string OutputDirectory { get; init; } = "docs/benchmarks/full";
    public string ManagerDll { get; init; } = "bench/artifacts/manager/Orchestrator.Manager.dll";
    public string CeilingDll { get; init; } = "bench/artifacts/ceiling/Orchestrator.Bench.Ceiling.dll";
    public int Connections { get; init; } = 256;
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public int Seed { get; init; } = 7;

    public int HeartbeatClusters { get; init; } = 2_000;
    public TimeSpan HeartbeatWarmup { get; init; } = TimeSpan.FromSeconds(3);
    // The saturated step runs first, on a freshly started server: a longer warm-up lets the JIT's tiered
    // compilation finish before it is measured (a 3 s warm-up measured the manager's tier-0 code: 215 µs per
    // heartbeat saturated against 96 µs in the open-loop steps after it). Ceiling and manager get the same.
    public TimeSpan SaturationWarmup { get; init; } = TimeSpan.FromSeconds(15);
    public TimeSpan HeartbeatDuration { get; init; } = TimeSpan.FromSeconds(10);
    public IReadOnlyList<double> LoadFractions { get; init; } = [0.05, 0.1, 0.25, 0.5, 0.75, 1.0];
    public int SaturationConcurrency { get; init; } = 64;

    public IReadOnlyList<int> FleetSteps { get; init; } = [1_000, 10_000, 50_000, 100_000];
    public TimeSpan FleetInterval { get; init; } = TimeSpan.FromSeconds(30);
    public int ReadSamples { get; init; } = 50;
    public int RegisterConcurrency { get; init; } = 64;

    public int DeployClusters { get; init; } = 10_000;
    public int Deploys { get; init; } = 10_000;
    public int DeployConcurrency { get; init; } = 32;
    // The deploy phase ends at Deploys or at this budget, whichever comes first.
    public TimeSpan DeployBudget { get; init; } = TimeSpan.FromSeconds(30);
    // After the deploy phase, agents are topped up to this count and the agent reads sampled.
    public int ReadAgents { get; init; } = 100_000;

    public int ReconnectClusters { get; init; } = 10_000;
    public TimeSpan ReconnectInterval { get; init; } = TimeSpan.FromSeconds(30);
    public bool ReconnectLongPoll { get; init; } = true;

    public int RedisRequests { get; init; } = 100_000;

    // heartbeats and fleet: 0 runs the manager on one redis-server; N also runs them on a Redis Cluster of N
    // masters, reported beside it.
    public int RedisClusterMasters { get; init; }

    // Added to the manager's environment (after the bench's own), e.g. to switch telemetry off for an A/B run.
    public IReadOnlyDictionary<string, string> ManagerEnvironment { get; init; } = new Dictionary<string, string>();

    public static BenchSettings ShortPreset => new()
    {
        Short = true,
        OutputDirectory = "docs/benchmarks/short",
        HeartbeatClusters = 1_000,
        HeartbeatWarmup = TimeSpan.FromSeconds(1),
        SaturationWarmup = TimeSpan.FromSeconds(3),
        HeartbeatDuration = TimeSpan.FromSeconds(3),
        LoadFractions = [0.25, 0.5, 0.75],
        FleetSteps = [1_000, 5_000],
        FleetInterval = TimeSpan.FromSeconds(5),
        ReadSamples = 20,
        DeployClusters = 100,
        Deploys = 1_000,
        DeployBudget = TimeSpan.FromSeconds(10),
        ReadAgents = 3_000,
        ReconnectClusters = 1_000,
        ReconnectInterval = TimeSpan.FromSeconds(5),
        RedisRequests = 20_000,
    };

    // Every problem at once, each naming its option.
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        foreach (var unknown in Scenarios.Except(AllScenarios))
            errors.Add($"--scenarios: unknown scenario '{unknown}' (known: {string.Join(", ", AllScenarios)})");
        void Positive(string option, double value) { if (value <= 0) errors.Add($"{option}: must be greater than 0 (was {value})"); }
        Positive("--connections", Connections);
        Positive("--hb-clusters", HeartbeatClusters);
        Positive("--hb-duration", HeartbeatDuration.TotalSeconds);
        Positive("--hb-concurrency", SaturationConcurrency);
        Positive("--fleet-interval", FleetInterval.TotalSeconds);
        Positive("--read-samples", ReadSamples);
        Positive("--register-concurrency", RegisterConcurrency);
        Positive("--deploy-clusters", DeployClusters);
        Positive("--deploys", Deploys);
        Positive("--deploy-concurrency", DeployConcurrency);
        Positive("--deploy-budget", DeployBudget.TotalSeconds);
        Positive("--read-agents", ReadAgents);
        Positive("--reconnect-clusters", ReconnectClusters);
        Positive("--reconnect-interval", ReconnectInterval.TotalSeconds);
        Positive("--redis-requests", RedisRequests);
        if (RedisClusterMasters is < 0 or 1 or 2 or > 16)
            errors.Add($"--redis-cluster: give 3 to 16 masters (a Redis Cluster needs at least 3), or 0 for one redis-server only (was {RedisClusterMasters})");
        if (HeartbeatWarmup < TimeSpan.Zero) errors.Add("--hb-warmup: must not be negative");
        if (LoadFractions.Count == 0 || LoadFractions.Any(f => f <= 0 || f > 2))
            errors.Add("--hb-fractions: give fractions of the ceiling's rate in (0, 2], e.g. 0.25,0.5,1");
        if (FleetSteps.Count == 0 || FleetSteps.Any(s => s <= 0) || !FleetSteps.SequenceEqual(FleetSteps.Order()))
            errors.Add("--fleet-steps: give increasing positive cluster counts, e.g. 1000,10000");
        return errors;
    }
}
