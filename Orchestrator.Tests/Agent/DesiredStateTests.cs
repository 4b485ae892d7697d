using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Runtime;
using Orchestrator.Agent.Workloads;
using Orchestrator.Protocol;

namespace Orchestrator.Tests.Agent;

[Trait(TestLevel.Name, TestLevel.Unit)]
public sealed class DesiredStateTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("orchestrator-desired-").FullName;

    private DesiredStateStore Store()
    {
        var options = Options.Create(new RuntimeOptions { DataDirectory = "data" });
        var environment = new HostingEnvironment { ContentRootPath = _root };
        return new(options, environment, new NodeSecretKey(options, environment));
    }

    [Fact]
    public async Task AppliedStateIsWrittenAtomicallyAndRestoredByTheNextNode()
    {
        var time = new FakeTimeProvider();
        var first = RuntimeHarness.Supervisor(time);
        var coordinator = new DesiredStateCoordinator(Store(), first, NullLogger<DesiredStateCoordinator>.Instance);
        await coordinator.ApplyAsync(new LocalDesiredState(5, [RuntimeHarness.Trading("a", "momentum"), RuntimeHarness.Trading("b", "mean_reversion")]), default);
        await first.WaitForAsync("b", v => v.State == AgentStates.Running, "b running");
        await first.StopAsync(default);

        Assert.Equal([DesiredStateStore.FileName], Directory.GetFiles(Path.Combine(_root, "data")).Select(Path.GetFileName));

        var second = RuntimeHarness.Supervisor(time);
        var restored = new DesiredStateCoordinator(Store(), second, NullLogger<DesiredStateCoordinator>.Instance);
        await restored.StartAsync(default);
        Assert.Equal(5, restored.Current.Generation);
        await second.WaitForAsync("a", v => v.State == AgentStates.Running, "a restored");
        await second.WaitForAsync("b", v => v.State == AgentStates.Running, "b restored");
        await second.StopAsync(default);
    }

    [Fact]
    public async Task ADamagedStateFileDoesNotKeepTheNodeDown()
    {
        var store = Store();
        Directory.CreateDirectory(Path.GetDirectoryName(store.FilePath)!);
        await File.WriteAllTextAsync(store.FilePath, "{\"generation\":");
        var supervisor = RuntimeHarness.Supervisor(TimeProvider.System);
        var coordinator = new DesiredStateCoordinator(store, supervisor, NullLogger<DesiredStateCoordinator>.Instance);
        await coordinator.StartAsync(default);
        Assert.Empty(supervisor.Agents());
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
