using System.Text.RegularExpressions;
using System.Xml.Linq;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Deployment;

[Trait(TestLevel.Name, TestLevel.Deployment)]
public partial class DockerfileTests
{
    public static TheoryData<string, string> Images => new()
    {
        { "Dockerfile", "Orchestrator.Manager" },
        { "Dockerfile.agent", "Orchestrator.Agent" },
    };

    [GeneratedRegex(@"^COPY (?!--from)(?<sources>.+) (?<target>\S+)$", RegexOptions.Multiline)]
    private static partial Regex Copy();

    [Theory]
    [MemberData(nameof(Images))]
    public void DockerfileCopiesEveryProjectTheServiceBuildsFrom(string dockerfile, string project)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, dockerfile));
        var copied = Copy().Matches(text).SelectMany(m => m.Groups["sources"].Value.Split(' ')).ToHashSet();
        foreach (var needed in ProjectClosure(project))
        {
            Assert.Contains($"{needed}/", copied);
            Assert.Contains($"{needed}/{needed}.csproj", copied);
        }
        Assert.Contains("Directory.Build.props", copied);
        Assert.Contains("Directory.Packages.props", copied);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void ImageRunsAsNonRootWithAHealthcheckOnHealth(string dockerfile, string project)
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, dockerfile));
        var finalStage = text[text.LastIndexOf("FROM mcr.microsoft.com/dotnet/aspnet:10.0", StringComparison.Ordinal)..];
        Assert.Contains("\nUSER $APP_UID\n", finalStage);
        Assert.Contains("GET /health HTTP/1.1", string.Join(' ', DockerfileHealthcheck.Command(Path.Combine(RepoPaths.Root, dockerfile))));
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"{project}.dll\"]", finalStage);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", text[text.IndexOf("FROM ", StringComparison.Ordinal)..]);
    }

    [Fact]
    public void KitScriptShipsEveryProjectTheOrchestratorBuildsFrom()
    {
        var script = File.ReadAllText(Path.Combine(RepoPaths.Root, DeploymentFiles.KitScript));
        Assert.All(ProjectClosure("Orchestrator.Agent"), needed => Assert.Contains($" {needed}", script));
    }

    // The project and everything it references, transitively, by folder name.
    private static IReadOnlySet<string> ProjectClosure(string project)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (!found.Add(current)) continue;
            var csproj = XDocument.Load(Path.Combine(RepoPaths.Root, current, current + ".csproj"));
            foreach (var reference in csproj.Descendants("ProjectReference"))
            {
                var path = reference.Attribute("Include")!.Value.Replace('\\', '/');
                pending.Push(Path.GetFileNameWithoutExtension(path));
            }
        }
        return found;
    }
}
