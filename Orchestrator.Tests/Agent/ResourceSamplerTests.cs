using Microsoft.Extensions.Time.Testing;
using Orchestrator.Agent.Readings;

namespace Orchestrator.Tests.Agent;

[Trait(TestLevel.Name, TestLevel.Unit)]
public sealed class ResourceSamplerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("orchestrator-sampler-").FullName;

    [Fact]
    public void CgroupV2ReadingsComeFromTheCgroupFiles()
    {
        var time = new FakeTimeProvider();
        var cgroup = Directory.CreateDirectory(Path.Combine(_root, "sys", "fs", "cgroup")).FullName;
        Write(Path.Combine(cgroup, "cpu.stat"), "usage_usec 1000000\nuser_usec 600000\n");
        Write(Path.Combine(cgroup, "memory.current"), "536870912\n");
        Write(Path.Combine(cgroup, "memory.max"), "2147483648\n");
        Write(Path.Combine(cgroup, "cgroup.procs"), "1\n7\n9\n");
        var sampler = new ResourceSampler(time, _root);

        // One second of wall time per CPU, of which the cgroup used half a CPU-second per CPU.
        time.Advance(TimeSpan.FromSeconds(1));
        Write(Path.Combine(cgroup, "cpu.stat"), $"usage_usec {1000000 + 500000 * Environment.ProcessorCount}\n");
        var reading = sampler.Sample();

        Assert.True(sampler.UsesCgroup);
        Assert.Equal(50, reading.CpuPercent, precision: 0);
        Assert.Equal(536870912, reading.MemoryUsed);
        Assert.Equal(2147483648, reading.MemoryLimit);
        Assert.Equal(3, reading.ProcessCount);
    }

    [Fact]
    public void WithoutACgroupReadingsComeFromProc()
    {
        var proc = Directory.CreateDirectory(Path.Combine(_root, "proc")).FullName;
        Write(Path.Combine(proc, "stat"), "cpu  100 0 100 800 0 0 0 0 0 0\n");
        Write(Path.Combine(proc, "meminfo"), "MemTotal:       4000000 kB\nMemFree:   1000 kB\nMemAvailable:   1000000 kB\n");
        foreach (var pid in new[] { "1", "42" }) Directory.CreateDirectory(Path.Combine(proc, pid));
        Directory.CreateDirectory(Path.Combine(proc, "sys"));
        var sampler = new ResourceSampler(new FakeTimeProvider(), _root);

        Write(Path.Combine(proc, "stat"), "cpu  250 0 250 1500 0 0 0 0 0 0\n");
        var reading = sampler.Sample();

        Assert.False(sampler.UsesCgroup);
        Assert.Equal(30, reading.CpuPercent, precision: 1); // 300 busy of 1000 jiffies
        Assert.Equal(3000000L * 1024, reading.MemoryUsed);
        Assert.Equal(4000000L * 1024, reading.MemoryLimit);
        Assert.Equal(2, reading.ProcessCount);
    }

    [Fact]
    public void ThisMachineGivesRealReadings()
    {
        var reading = new ResourceSampler(TimeProvider.System).Sample();
        Assert.True(reading.MemoryUsed > 0 && reading.MemoryLimit >= reading.MemoryUsed, $"memory {reading.MemoryUsed}/{reading.MemoryLimit}");
        Assert.True(reading.ProcessCount >= 1);
        Assert.InRange(reading.CpuPercent, 0, 100);
    }

    [Fact]
    public void HealthScoreFallsWithPressureAndAgentFailures()
    {
        var idle = new ResourceReading(2, 0, 0, 100, 1);
        var busy = new ResourceReading(2, 90, 80, 100, 1);
        Assert.Equal(100, HealthScore.Compute(idle, 0));
        Assert.Equal(100 - 36 - 32, HealthScore.Compute(busy, 0));
        Assert.Equal(100 - 36 - 32 - 10, HealthScore.Compute(busy, 2));
        Assert.Equal(80, HealthScore.Compute(idle, 50)); // failures cost at most 20
    }

    private static void Write(string path, string text) => File.WriteAllText(path, text);

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
