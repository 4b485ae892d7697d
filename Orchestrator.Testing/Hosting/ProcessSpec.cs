namespace Orchestrator.Testing.Hosting;

// What to run and how. The child gets only PATH, HOME and Environment unless InheritEnvironment is set,
// so the test host's own variables (ASPNETCORE_*, DOTNET_*, secrets) never leak into what is tested.
public sealed record ProcessSpec(string FileName, IReadOnlyList<string> Arguments)
{
    // Shown in logs and error messages.
    public string Name { get; init; } = Path.GetFileNameWithoutExtension(FileName);

    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    // The caller's whole environment, minus RemoveVariables, plus Environment.
    public bool InheritEnvironment { get; init; }

    public IReadOnlyList<string> RemoveVariables { get; init; } = [];

    public string? WorkingDirectory { get; init; }

    // For an HTTP service: sets ASPNETCORE_URLS, and is where WaitUntilHealthyAsync asks for /health.
    public Uri? Url { get; init; }

    // Output is also appended here (line by line) when set, e.g. for a benchmark's log directory.
    public string? LogFile { get; init; }

    // How long DisposeAsync waits after SIGTERM before SIGKILL; zero kills at once (a crash).
    public TimeSpan StopGrace { get; init; } = TimeSpan.Zero;

    // A built .NET program (`dotnet <dll> <arguments>`), run from the dll's own directory.
    public static ProcessSpec Dotnet(string dll, params IEnumerable<string> arguments) =>
        new("dotnet", [dll, .. arguments]) { Name = Path.GetFileNameWithoutExtension(dll), WorkingDirectory = Path.GetDirectoryName(dll) };

    // A project of this repository, as built next to the tests (Orchestrator.Manager, Orchestrator.Agent, ...).
    public static ProcessSpec Project(string project, params IEnumerable<string> arguments) =>
        Dotnet(RepoPaths.ProjectOutput(project), arguments);

    public ProcessSpec WithEnvironment(IReadOnlyDictionary<string, string> more)
    {
        var merged = new Dictionary<string, string>(Environment);
        foreach (var (key, value) in more) merged[key] = value;
        return this with { Environment = merged };
    }
}
