namespace Orchestrator.Agent.Readings;

public sealed record ResourceReading(int CpuCount, double CpuPercent, long MemoryUsed, long MemoryLimit, int ProcessCount)
{
    public double MemoryRatio => MemoryLimit > 0 ? Math.Clamp((double)MemoryUsed / MemoryLimit, 0, 1) : 0;
}
