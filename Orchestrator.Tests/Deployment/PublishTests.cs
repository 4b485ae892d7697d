using System.Text.Json.Nodes;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Deployment;

// `dotnet publish` as the Dockerfiles run it. /t:PublishContainer itself needs the base image's manifest
// from mcr.microsoft.com, which this network does not reach, so the container settings are checked by
// evaluating the SDK's ComputeContainerConfig target instead (it needs no registry and no Docker engine).
public class PublishTests : IDisposable
{
    private static readonly TimeSpan PublishDeadline = TimeSpan.FromMinutes(4);
    private readonly string _output = Directory.CreateTempSubdirectory("orchestrator-publish-").FullName;

    public static TheoryData<string, string, string, string> Services => new()
    {
        { "Orchestrator.Manager", "orchestrator-manager", "8000", "8000" },
        { "Orchestrator.Agent", "orchestrator-agent", "8001", "" },
    };

    public static TheoryData<string> Projects => new() { "Orchestrator.Manager", "Orchestrator.Agent" };

    [Theory]
    [MemberData(nameof(Projects))]
    public async Task ServicePublishesAsTheDockerfileBuildsIt(string project)
    {
        var run = await ScriptRun.RunAsync("dotnet",
            ["publish", Path.Combine(RepoPaths.Root, project, project + ".csproj"), "-c", "Release", "-o", _output,
             "--no-restore", "-p:UseAppHost=false", "-nologo", "-clp:ErrorsOnly"], deadline: PublishDeadline);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(File.Exists(Path.Combine(_output, project + ".dll")), $"{project}.dll missing from the publish output");
        Assert.True(File.Exists(Path.Combine(_output, "appsettings.json")));
        Assert.True(File.Exists(Path.Combine(_output, project + ".runtimeconfig.json")));
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task SdkContainerSettingsMatchTheDockerfile(string project, string repository, string port, string httpPorts)
    {
        var run = await ScriptRun.RunAsync("dotnet",
            ["msbuild", Path.Combine(RepoPaths.Root, project, project + ".csproj"), "-t:ComputeContainerConfig", "-p:Configuration=Release",
             "-getProperty:ContainerRepository", "-getProperty:ContainerUser", "-getProperty:ContainerBaseImage",
             "-getItem:ContainerPort", "-getItem:ContainerEnvironmentVariables"], deadline: PublishDeadline);
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
