using System.Globalization;
using Orchestrator.Bench.Scenarios;

namespace Orchestrator.Bench.Reporting;

// The product's targets (issue 16, performance round 2), each judged against what this run measured.
// Nothing is tuned to them: a run smaller than a goal's size says so instead of judging.
public static class Goals
{
    public const double IngestShare = 0.5, IngestP99Ms = 20, CpuPerHeartbeatRatio = 2;
    public const int FleetSize = 100_000, RestartFleet = 10_000, PlacementFleet = 10_000, ReadAgents = 100_000;
    public const double FleetRssMiB = 1024, StatusP99Ms = 200, PlacementsPerSecond = 1000, DeployToRunningP99Ms = 1000,
        AgentReadsP99Ms = 200, RestartFromReadySeconds = 15;

    public static IReadOnlyList<GoalResult> Judge(HeartbeatsResult? heartbeats, FleetResult? fleet, DeployResult? deploy, ReconnectResult? reconnect) =>
        [Ingest(heartbeats), IngestCpu(heartbeats), Deploy(deploy), AgentReadsGoal(deploy), Restart(reconnect), Fleet(fleet),
         new("Simulator and manager share the machine's cores", "stated", MachineInfo.SharedCoresNote)];

    private static GoalResult Ingest(HeartbeatsResult? result)
    {
        const string goal = "Heartbeats: saturated ≥ 50% of the bare-Kestrel ceiling; at 50% of it offered, p99 ≤ 20 ms with 0 errors";
        if (result is null) return new(goal, "unmeasured", "heartbeats scenario not run");
        var ceiling = result.Ceiling.Saturated.Heartbeats.AchievedPerSecond;
        var target = Math.Round(ceiling * IngestShare);
        // Saturated throughput: the most either answered per second in any step, closed or open loop.
        static double Peak(TargetResult t) => t.Steps.Select(s => s.Heartbeats.AchievedPerSecond).Append(t.Saturated.Heartbeats.AchievedPerSecond).Max();
        var (managerPeak, ceilingPeak) = (Peak(result.Manager), Peak(result.Ceiling));
        var saturatedRatio = managerPeak / ceilingPeak;
        var step = result.Manager.Steps.MinBy(s => Math.Abs(s.Heartbeats.OfferedPerSecond - target));
        if (step is null) return new(goal, "unmeasured", "no open-loop step near 50% of the ceiling");
        var h = step.Heartbeats;
        var met = saturatedRatio >= IngestShare && h.AchievedPerSecond >= 0.97 * h.OfferedPerSecond && h.OfferedPerSecond >= 0.97 * target
                  && h.Latency.P99Ms <= IngestP99Ms && h.Outcomes.Errors == 0;
        var best = result.Manager.Steps.Where(s => s.Heartbeats.Latency.P99Ms <= IngestP99Ms && s.Heartbeats.Outcomes.Errors == 0
                                                   && s.Heartbeats.AchievedPerSecond >= 0.97 * s.Heartbeats.OfferedPerSecond)
            .Select(s => s.Heartbeats.OfferedPerSecond).DefaultIfEmpty(0).Max();
        var within = best > 0 ? $"; the manager held p99 ≤ 20 ms up to {F(best)}/s offered ({P(best / ceiling)} of the ceiling)"
                              : "; the manager kept p99 ≤ 20 ms at none of the offered rates";
        return new(goal, met ? "met" : "not met",
            $"saturated manager/ceiling {P(saturatedRatio)} (most answered in any step {F(managerPeak)}/s vs {F(ceilingPeak)}/s; " +
            $"closed loop of {result.SaturationConcurrency} {F(result.Manager.Saturated.Heartbeats.AchievedPerSecond)}/s vs {F(ceiling)}/s); " +
            $"offered {F(h.OfferedPerSecond)}/s ({P(h.OfferedPerSecond / ceiling)} of the ceiling): achieved {F(h.AchievedPerSecond)}/s, " +
            $"p99 {F(h.Latency.P99Ms, 1)} ms, errors {h.Outcomes.Errors}{within}");
    }

    // CPU seconds the server process spent per heartbeat at saturation, manager beside ceiling.
    private static GoalResult IngestCpu(HeartbeatsResult? result)
    {
        const string goal = "Manager CPU per heartbeat ≤ 2× the ceiling's";
        if (result is null) return new(goal, "unmeasured", "heartbeats scenario not run");
        static double MicrosPerBeat(RateStepResult step) =>
            step.Heartbeats.AchievedPerSecond > 0 ? step.Cpu.ServerCores / step.Heartbeats.AchievedPerSecond * 1e6 : double.NaN;
        var (manager, ceiling) = (MicrosPerBeat(result.Manager.Saturated), MicrosPerBeat(result.Ceiling.Saturated));
        if (double.IsNaN(manager) || double.IsNaN(ceiling)) return new(goal, "unmeasured", "no saturated step");
        return new(goal, manager <= CpuPerHeartbeatRatio * ceiling ? "met" : "not met",
            $"at saturation: manager {F(manager)} µs per heartbeat, ceiling {F(ceiling)} µs ({F(manager / ceiling, 1)}×); " +
            $"Redis {F(result.Manager.Saturated.Cpu.RedisCores / result.Manager.Saturated.Heartbeats.AchievedPerSecond * 1e6)} µs");
    }

    private static GoalResult Fleet(FleetResult? result)
    {
        const string goal = "No regression: 100,000 registered clusters on one manager at ≤ 1 GiB RSS, GET /status p99 ≤ 200 ms";
        if (result is null || result.Steps.Count == 0) return new(goal, "unmeasured", "fleet scenario not run");
        var top = result.Steps[^1];
        var registered = top.Clusters < top.Target ? $"{F(top.Clusters)} of {F(top.Target)} clusters registered" : $"{F(top.Clusters)} clusters";
        var measured = $"{registered}: manager RSS {F(top.ManagerRssMiB)} MiB, GET /status p99 {F(top.Status.Latency.P99Ms, 1)} ms, " +
                       $"GET /containers p99 {F(top.Containers.Latency.P99Ms, 1)} ms returning {F(top.Containers.ResponseBytes / 1048576.0, 1)} MiB" +
                       $"{(top.Healthy is { } h ? $", {F(h)} healthy" : "")}";
        if (top.Target < FleetSize) return new(goal, "not at goal size", measured);
        var met = top.Clusters >= FleetSize && top.ManagerRssMiB <= FleetRssMiB && top.Status.Latency.P99Ms <= StatusP99Ms && top.Status.Outcomes.Errors == 0;
        return new(goal, met ? "met" : "not met", measured);
    }

    private static GoalResult Deploy(DeployResult? result)
    {
        const string goal = "≥ 1,000 placements/s sustained at 10,000 clusters, deploy-to-running p99 ≤ 1 s";
        if (result is null) return new(goal, "unmeasured", "deploy scenario not run");
        if (!result.Measured) return new(goal, "unmeasured", result.Reason ?? "");
        var measured = $"{F(result.PlacementsPerSecond)} placements/s at {F(result.Registration.Clusters)} clusters over {F(result.Deploys)} deploys; " +
                       $"scheduling p99 {F(result.Scheduling.P99Ms, 1)} ms; deploy-to-running p99 {F(result.DeployToRunning.P99Ms, 1)} ms; " +
                       $"errors {result.Outcomes.Errors}; never running {result.NeverRunning}";
        if (result.Registration.Clusters < PlacementFleet) return new(goal, "not at goal size", measured);
        var met = result.PlacementsPerSecond >= PlacementsPerSecond && result.DeployToRunning.P99Ms <= DeployToRunningP99Ms
                  && result.NeverRunning == 0 && result.Outcomes.Errors == 0;
        return new(goal, met ? "met" : "not met", measured);
    }

    private static GoalResult AgentReadsGoal(DeployResult? result)
    {
        const string goal = "GET /cluster/agents (first page) and /metrics/distribution p99 ≤ 200 ms at 100,000 agents";
        if (result?.Reads is not { } reads) return new(goal, "unmeasured", "deploy scenario not run or without agent reads");
        var measured = $"{F(reads.Agents)} agents: GET /cluster/agents p99 {F(reads.List.Latency.P99Ms, 1)} ms ({F(reads.List.ResponseBytes / 1024.0)} KiB), " +
                       $"GET /metrics/distribution p99 {F(reads.Distribution.Latency.P99Ms, 1)} ms; read errors {reads.List.Outcomes.Errors + reads.Distribution.Outcomes.Errors}";
        if (reads.Agents < ReadAgents) return new(goal, "not at goal size", measured);
        var met = reads.List.Latency.P99Ms <= AgentReadsP99Ms && reads.Distribution.Latency.P99Ms <= AgentReadsP99Ms
                  && reads.List.Outcomes.Errors == 0 && reads.Distribution.Outcomes.Errors == 0;
        return new(goal, met ? "met" : "not met", measured);
    }

    private static GoalResult Restart(ReconnectResult? result)
    {
        const string goal = "After a manager restart, 10,000 clusters all back ≤ 15 s after it is healthy, with zero 5xx";
        if (result is null) return new(goal, "unmeasured", "reconnect scenario not run");
        var measured = $"{F(result.ClustersBack)}/{F(result.Clusters)} back, " +
                       (result.AllBackFromReadySeconds < 0 ? "not all before the deadline"
                           : $"all {F(result.AllBackFromReadySeconds, 1)} s after the new manager was healthy ({F(result.AllBackFromStopSeconds, 1)} s after the stop signal)") +
                       $"; {F(result.DowntimeSeconds, 1)} s down, heartbeat interval {F(result.HeartbeatIntervalSeconds)} s; 5xx {result.Status5xx}";
        if (result.Clusters < RestartFleet) return new(goal, "not at goal size", measured);
        var met = result.AllBackFromReadySeconds >= 0 && result.AllBackFromReadySeconds <= RestartFromReadySeconds && result.Status5xx == 0;
        return new(goal, met ? "met" : "not met", measured);
    }

    internal static string F(double value, int decimals = 0) => value.ToString(decimals == 0 ? "N0" : "N" + decimals, CultureInfo.InvariantCulture);
    internal static string P(double share) => (share * 100).ToString("0", CultureInfo.InvariantCulture) + "%";
}
