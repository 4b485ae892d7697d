using ArchUnitNET.Domain;
using Assembly = System.Reflection.Assembly;
using ArchUnitNET.Loader;

namespace Orchestrator.Tests.Architecture;

// Folders are layers (README "Architecture"): a folder is a namespace one level under the project's root, and the
// folders of one project must import each other without a cycle, so each can be read, tested and replaced from the
// bottom up. The dependencies come from the compiled assembly (ArchUnitNET reads signatures and method bodies), so
// a fully qualified name or an unused `using` neither hides nor invents an edge.
[Trait(TestLevel.Name, TestLevel.Unit)]
public class FolderLayerTests
{
    // One case per layered project. Bottom: the folder that must import no other folder of its project.
    public sealed record LayeredProject(string Name, Assembly Assembly, string RootNamespace, string Bottom)
    {
        public override string ToString() => Name;
    }

    public static readonly IReadOnlyList<LayeredProject> Projects =
    [
        new("manager", typeof(Orchestrator.Manager.Redis.RedisKeys).Assembly, "Orchestrator.Manager", Bottom: "Redis"),
    ];

    public static TheoryData<string> ProjectNames => [.. Projects.Select(p => p.Name)];

    [Theory]
    [MemberData(nameof(ProjectNames))]
    public void NoTwoFoldersOfAProjectImportEachOtherEvenThroughOthers(string project)
    {
        var graph = FolderGraph.Of(Projects.Single(p => p.Name == project));
        var cycles = graph.Cycles();
        Assert.True(cycles.Count == 0, $"{project}: folders in a cycle:\n" + string.Join("\n", cycles.Select(graph.Explain)));
    }

    [Theory]
    [MemberData(nameof(ProjectNames))]
    public void TheBottomFolderImportsNoOtherFolder(string project)
    {
        var layered = Projects.Single(p => p.Name == project);
        var graph = FolderGraph.Of(layered);
        Assert.Contains(layered.Bottom, graph.Folders);
        var above = graph.Edges.GetValueOrDefault(layered.Bottom)?.Keys.ToList() ?? [];
        Assert.True(above.Count == 0, $"{project}: {layered.Bottom}/ imports " +
            string.Join("; ", above.Select(to => $"{to}/ ({graph.Edges[layered.Bottom][to]})")));
    }

    [Fact]
    public void TheCycleFinderSeesACycleThroughThreeFoldersAndNotALayeredChain()
    {
        var cyclic = new FolderGraph(["A", "B", "C", "D"], new()
        {
            ["A"] = new() { ["B"] = "a" }, ["B"] = new() { ["C"] = "b" }, ["C"] = new() { ["A"] = "c" }, ["D"] = new() { ["A"] = "d" },
        });
        Assert.Equal(["A", "B", "C"], Assert.Single(cyclic.Cycles()).Order());
        var layered = new FolderGraph(["A", "B", "C"], new() { ["A"] = new() { ["B"] = "a" }, ["B"] = new() { ["C"] = "b" } });
        Assert.Empty(layered.Cycles());
    }

    // Folder -> folder -> one example "Type -> Type" that makes the edge, for the failure message.
    internal sealed class FolderGraph(IReadOnlyCollection<string> folders, Dictionary<string, Dictionary<string, string>> edges)
    {
        private static readonly Dictionary<Assembly, ArchUnitNET.Domain.Architecture> Loaded = [];

        public IReadOnlyCollection<string> Folders => folders;

        public Dictionary<string, Dictionary<string, string>> Edges => edges;

        public static FolderGraph Of(LayeredProject project)
        {
            ArchUnitNET.Domain.Architecture architecture;
            lock (Loaded)
            {
                if (!Loaded.TryGetValue(project.Assembly, out architecture!))
                    Loaded[project.Assembly] = architecture = new ArchLoader().LoadAssemblies(project.Assembly).Build();
            }
            var prefix = project.RootNamespace + ".";
            string? FolderOf(IType? type) =>
                type?.Namespace?.FullName is { } ns && ns.StartsWith(prefix, StringComparison.Ordinal) ? ns[prefix.Length..].Split('.')[0] : null;
            var found = new HashSet<string>();
            var edges = new Dictionary<string, Dictionary<string, string>>();
            foreach (var type in architecture.Types)
            {
                if (FolderOf(type) is not { } from) continue;
                found.Add(from);
                foreach (var dependency in type.Dependencies)
                {
                    if (dependency.Target is GenericParameter || FolderOf(dependency.Target) is not { } to || to == from) continue;
                    var targets = edges.TryGetValue(from, out var t) ? t : edges[from] = [];
                    targets.TryAdd(to, $"{type.Name} -> {dependency.Target.Name}");
                }
            }
            return new FolderGraph(found, edges);
        }

        // Strongly connected components of more than one folder (Tarjan), each sorted by name.
        public List<SortedSet<string>> Cycles()
        {
            var index = new Dictionary<string, int>();
            var low = new Dictionary<string, int>();
            var stack = new Stack<string>();
            var result = new List<SortedSet<string>>();
            void Visit(string v)
            {
                index[v] = low[v] = index.Count;
                stack.Push(v);
                foreach (var w in edges.GetValueOrDefault(v)?.Keys ?? Enumerable.Empty<string>())
                {
                    if (!index.ContainsKey(w)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                    else if (stack.Contains(w)) low[v] = Math.Min(low[v], index[w]);
                }
                if (low[v] != index[v]) return;
                var component = new SortedSet<string>(StringComparer.Ordinal);
                string popped;
                do { popped = stack.Pop(); component.Add(popped); } while (popped != v);
                if (component.Count > 1) result.Add(component);
            }
            foreach (var folder in folders.Concat(edges.Keys).Distinct().Order(StringComparer.Ordinal))
                if (!index.ContainsKey(folder)) Visit(folder);
            return result;
        }

        public string Explain(SortedSet<string> cycle) =>
            $"  {{{string.Join(", ", cycle)}}}: " + string.Join("; ", cycle.SelectMany(from =>
                (edges.GetValueOrDefault(from) ?? []).Where(e => cycle.Contains(e.Key)).Select(e => $"{from}->{e.Key} ({e.Value})")));
    }
}
