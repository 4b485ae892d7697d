namespace Orchestrator.Tests.Deployment;

// Runs a repository script or tool from the repository root through the one launcher, with a deadline.
public static class ScriptRun
{
    public static readonly TimeSpan DefaultDeadline = TimeSpan.FromMinutes(2);

    // With an environment, the process gets only that (plus PATH and HOME): the test host's own variables
    // (ASPNETCORE_*, DOTNET_*) must not leak into what is being tested. Without one, it inherits the host's.
    public static Task<ProcessRun> RunAsync(
        string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null,
        TimeSpan? deadline = null, string? workingDirectory = null) =>
        ChildProcess.RunAsync(new ProcessSpec(program, [.. arguments])
        {
            WorkingDirectory = workingDirectory ?? RepoPaths.Root,
            InheritEnvironment = environment is null,
            Environment = environment ?? new Dictionary<string, string>(),
        }, deadline ?? DefaultDeadline);

    public static Task<ProcessRun> BashAsync(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        RunAsync("bash", new[] { Path.Combine(RepoPaths.Root, script) }.Concat(arguments), environment);
}
