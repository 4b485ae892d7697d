using System.Reflection;

namespace Orchestrator.Testing;

// Where the repository and its built projects are, found from the running assembly's location.
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Configuration { get; } =
        typeof(RepoPaths).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    // The built dll of a project directory relative to the root, e.g. "Orchestrator.Manager" or "tools/Orchestrator.Validation".
    public static string ProjectOutput(string project) =>
        Path.Combine(Root, project, "bin", Configuration, "net10.0", Path.GetFileName(project) + ".dll");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orchestrator.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Orchestrator.sln not found above " + AppContext.BaseDirectory);
    }
}
