using System.Text.Json.Nodes;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Deployment;

// `dotnet publish` as the Dockerfiles' build stages run it (DockerBuildStage). /t:PublishContainer itself
// needs the base image's manifest from mcr.microsoft.com, which this network does not reach, so the SDK
// container settings are checked by evaluating its ComputeContainerConfig target (no registry, no engine).
[Trait(TestLevel.Name, TestLevel.Deployment)]
public class PublishTests : IDisposable
{
    private static readonly TimeSpan MsbuildDeadline = TimeSpan.FromMinutes(2);
    private readonly string _output = Directory.CreateTempSubdirectory("orchestrator-publish-").FullName;

    public static TheoryData<string, string, string, string> Services => new()
    {
        { "Orchestrator.Manager", "orchestrator-manager", "8000", "8000" },
        { "Orchestrator.Agent", "orchestrator-agent", "8001", "" },
    };

    [Fact]
    public async Task ManagerImageBuildStagePublishesFromTheRepository()
    {
        await DockerBuildStage.RunAsync(DeploymentFiles.ManagerDockerfile, RepoPaths.Root, _output);
        AssertPublished("Orchestrator.Manager");
    }

    [Fact]
    public async Task OrchestratorImageBuildStagePublishesFromTheKitAlone()
    {
        // The customer builds Dockerfile.agent in the unpacked kit, so the kit is the build context here.
        var kit = Path.Combine(_output, "kit");
        var make = await ScriptRun.BashAsync(DeploymentFiles.KitScript, ["--output", kit]);
        Assert.True(make.ExitCode == 0, make.ToString());
        await DockerBuildStage.RunAsync(Path.Combine(kit, "Dockerfile.agent"), kit, Path.Combine(_output, "image"));
        AssertPublished("Orchestrator.Agent", Path.Combine(_output, "image"));
    }

    private void AssertPublished(string project, string? imageRoot = null)
    {
        var app = Path.Combine(imageRoot ?? _output, "app");
        foreach (var file in new[] { project + ".dll", project + ".runtimeconfig.json", "appsettings.json" })
        {
            Assert.True(File.Exists(Path.Combine(app, file)), $"{file} missing from the image's /app");
        }
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task SdkContainerSettingsMatchTheDockerfile(string project, string repository, string port, string httpPorts)
    {
        var run = await ScriptRun.RunAsync("dotnet",
            ["msbuild", Path.Combine(RepoPaths.Root, project, project + ".csproj"), "-t:ComputeContainerConfig", "-p:Configuration=Release",
             "-getProperty:ContainerRepository", "-getProperty:ContainerUser", "-getProperty:ContainerBaseImage",
             "-getItem:ContainerPort", "-getItem:ContainerEnvironmentVariables"], deadline: MsbuildDeadline);
        Assert.True(run.ExitCode == 0, run.ToString());
        var result = JsonNode.Parse(run.Output)!;
        Assert.Equal(repository, (string?)result["Properties"]!["ContainerRepository"]);
        Assert.Equal("app", (string?)result["Properties"]!["ContainerUser"]);
        Assert.StartsWith("mcr.microsoft.com/dotnet/aspnet:10.0", (string?)result["Properties"]!["ContainerBaseImage"]);
        Assert.Equal([port], result["Items"]!["ContainerPort"]!.AsArray().Select(p => (string?)p!["Identity"]));
        var variables = result["Items"]!["ContainerEnvironmentVariables"]!.AsArray()
            .ToDictionary(v => (string)v!["Identity"]!, v => (string?)v!["Value"]);
        Assert.Equal(httpPorts, variables["ASPNETCORE_HTTP_PORTS"]);
    }

    public void Dispose()
    {
        try { Directory.Delete(_output, recursive: true); } catch (IOException) { }
    }
}
