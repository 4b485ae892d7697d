using System.Text.RegularExpressions;

namespace Orchestrator.Tests.Architecture;

// The node's folders are layers (README "Architecture"): each may use only the rooms below it, so no two
// folders ever use each other. Read from the sources, as a reader would: every `using Orchestrator.Agent.X`
// and every qualified `Orchestrator.Agent.X.` or `X.Type` reference, per file.
[Trait(TestLevel.Name, TestLevel.Unit)]
public partial class NodeFolderLayerTests
{
    private const string Project = "Orchestrator.Agent";

    // Bottom first. A folder may use folders of a lower rank only; Extensions (the composition root) knows them all.
    private static readonly IReadOnlyDictionary<string, int> Rank = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["Configuration"] = 0,
        ["Readings"] = 0,
        ["Workloads"] = 1,
        ["Runtime"] = 2,
        ["Fencing"] = 3,
        ["Connection"] = 4,
        ["Apis"] = 5,
        ["Extensions"] = 6,
        [""] = 7, // Program.cs
    };

    [Fact]
    public void EveryNodeFolderUsesOnlyTheLayersBelowIt()
    {
        var wrong = Edges().Where(e => Rank[e.From] <= Rank[e.To]).Select(e => $"{e.From} -> {e.To} ({e.File})").Distinct().ToList();
        Assert.True(wrong.Count == 0, "Folders using a room at or above their own layer:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void NodeFoldersHaveNoCycle()
    {
        var graph = Edges().GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        var cycle = FindCycle(graph);
        Assert.True(cycle is null, $"Folder cycle: {string.Join(" -> ", cycle ?? [])}");
    }

    [Fact]
    public void EveryNodeFolderIsALayerAndEveryFileSitsInItsFolderNamespace()
    {
        var unknown = Files().Where(f => !Rank.ContainsKey(f.Folder)).Select(f => f.Path).ToList();
        Assert.True(unknown.Count == 0, "Files in a folder that is no declared layer: " + string.Join(", ", unknown));
        var misplaced = Files().Where(f => f.Folder.Length > 0 && NamespaceOf(f.Text) is { } ns && !(ns + ".").StartsWith($"{Project}.{f.Folder}.", StringComparison.Ordinal))
            .Select(f => f.Path).ToList();
        Assert.True(misplaced.Count == 0, "Files whose namespace is not their folder's: " + string.Join(", ", misplaced));
    }

    // The checker itself: a planted cycle is found.
    [Fact]
    public void TheCycleFinderFindsAPlantedCycle()
    {
        var graph = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal)
        {
            ["A"] = ["B"], ["B"] = ["C"], ["C"] = ["A"], ["D"] = ["A"],
        };
        Assert.Equal(["A", "B", "C", "A"], FindCycle(graph));
        graph["C"] = [];
        Assert.Null(FindCycle(graph));
    }

    private sealed record SourceFile(string Path, string Folder, string Text);

    private sealed record Edge(string From, string To, string File);

    private static IEnumerable<SourceFile> Files()
    {
        var root = Path.Combine(RepoPaths.Root, Project);
        foreach (var path in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(root, path);
            var first = relative.Split(Path.DirectorySeparatorChar)[0];
            if (first is "obj" or "bin") continue;
            yield return new SourceFile(relative, first == relative ? "" : first, File.ReadAllText(path));
        }
    }

    private static IEnumerable<Edge> Edges()
    {
        foreach (var file in Files())
        {
            var used = FullyQualified().Matches(file.Text).Select(m => m.Groups[1].Value)
                .Concat(RelativelyQualified().Matches(file.Text).Select(m => m.Groups[1].Value).Where(Rank.ContainsKey));
            foreach (var folder in used.Distinct(StringComparer.Ordinal).Where(f => f != file.Folder && Rank.ContainsKey(f)))
                yield return new Edge(file.Folder, folder, file.Path);
        }
    }

    // Depth-first; the first cycle found, as a path that ends where it starts, or null.
    private static List<string>? FindCycle(IReadOnlyDictionary<string, HashSet<string>> graph)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            var at = path.IndexOf(node);
            if (at >= 0) return [.. path[at..], node];
            if (!done.Add(node)) return null;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? []) if (Visit(next) is { } cycle) return cycle;
            path.RemoveAt(path.Count - 1);
            return null;
        }
        return graph.Keys.Order(StringComparer.Ordinal).Select(Visit).FirstOrDefault(c => c is not null);
    }

    private static string? NamespaceOf(string text) => Namespace().Match(text) is { Success: true } m ? m.Groups[1].Value : null;

    [GeneratedRegex(@"\bOrchestrator\.Agent\.(\w+)")]
    private static partial Regex FullyQualified();

    // `Runtime.TextCut` inside namespace Orchestrator.Agent.X resolves to the sibling folder too.
    [GeneratedRegex(@"(?<![\w.])(\w+)\.[A-Z]\w*")]
    private static partial Regex RelativelyQualified();

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex Namespace();
}
