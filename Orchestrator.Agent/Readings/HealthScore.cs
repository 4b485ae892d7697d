namespace Orchestrator.Agent.Readings;

// 100 is an idle machine with no recent agent failures. CPU and memory pressure cost up to 40 points
// each; every agent failure in the recent window costs 5, up to 20.
public static class HealthScore
{
    public static double Compute(ResourceReading reading, int recentAgentFailures)
    {
        var cpu = Math.Clamp(reading.CpuPercent / 100, 0, 1) * 40;
        var memory = reading.MemoryRatio * 40;
        var failures = Math.Min(20, 5 * Math.Max(0, recentAgentFailures));
        return Math.Round(Math.Clamp(100 - cpu - memory - failures, 0, 100), 1);
    }
}
