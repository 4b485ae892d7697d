using System.Text.Json;
using Orchestrator.Agent.Runtime;
using Orchestrator.Agent.Workloads;

namespace Orchestrator.Tests.Agent.Containers;

// A real node process (the built Orchestrator.Agent) running alone (AUTO_REGISTER=false) on a desired state
// written to its DATA_DIR, with DOCKER_HOST pointing at the test's engine.
public sealed class ContainerNodeProcess(string dockerHost, string containerName) : ClusterNode("container-node", RepoPaths.ProjectOutput("Orchestrator.Agent"), FreePort.Next())
{
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("orchestrator-container-node-").FullName;

    public string ContainerName { get; } = containerName;

    public async Task DesireAsync(params AgentDefinition[] agents)
    {
        var json = JsonSerializer.Serialize(new LocalDesiredState(1, agents), RuntimeJsonContext.Default.LocalDesiredState);
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, DesiredStateStore.FileName), json);
    }

    protected override Dictionary<string, string> Environment() => new()
    {
        ["AGENT_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["CONTAINER_NAME"] = ContainerName,
        ["AUTO_REGISTER"] = "false",
        ["DATA_DIR"] = DataDirectory,
        ["DOCKER_HOST"] = dockerHost,
        ["Containers__InspectPeriod"] = "00:00:00.25",
    };

    protected override ValueTask DisposeResourcesAsync()
    {
        Directory.Delete(DataDirectory, true);
        return ValueTask.CompletedTask;
    }
}
