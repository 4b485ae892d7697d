using System.Text.Json.Nodes;

namespace Orchestrator.Tests.Foundation;

[Trait(TestLevel.Name, TestLevel.AppHost)]
public class ManifestTests
{
    private static readonly string CommittedPath = Path.Combine(RepoPaths.Root, "aspire-manifest.json");

    [Fact]
    public async Task CommittedManifestMatchesWhatTheAppHostEmits()
    {
        var actualPath = Path.Combine(RepoPaths.Root, "aspire-manifest.actual.json");
        try
        {
            await PublishManifestAsync(actualPath);
            var expected = await File.ReadAllTextAsync(CommittedPath);
            var actual = await File.ReadAllTextAsync(actualPath);
            Assert.True(expected.ReplaceLineEndings() == actual.ReplaceLineEndings(),
                "aspire-manifest.json is stale. Regenerate it with: dotnet run --project Orchestrator.AppHost -- " +
                "--publisher manifest --output-path ../aspire-manifest.json");
        }
        finally
        {
            File.Delete(actualPath);
        }
    }

    [Fact]
    public async Task ManifestDescribesRedisAsContainerAndServicesAsProjects()
    {
        var resources = JsonNode.Parse(await File.ReadAllTextAsync(CommittedPath))!["resources"]!.AsObject();
        Assert.Equal("container.v0", (string?)resources["redis"]!["type"]);
        Assert.Equal("project.v0", (string?)resources["manager"]!["type"]);
        foreach (var id in new[] { 1, 2, 3 })
        {
            Assert.Equal("project.v0", (string?)resources[$"orchestrator-{id}"]!["type"]);
        }
    }

    private static async Task PublishManifestAsync(string outputPath)
    {
        var run = await ChildProcess.RunAsync(ProcessSpec.Project("Orchestrator.AppHost", "--publisher", "manifest", "--output-path", outputPath) with
        {
            WorkingDirectory = Path.Combine(RepoPaths.Root, "Orchestrator.AppHost"),
            InheritEnvironment = true,
        }, TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, $"manifest publish failed: {run}");
    }
}
