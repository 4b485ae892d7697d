namespace Orchestrator.Tests.Validation;

// The built Orchestrator.Validation CLI run as its own process, as an operator runs it.
public static class ValidationCli
{
    public static readonly TimeSpan RunDeadline = TimeSpan.FromSeconds(90);

    // The test host's ADMIN_PASSWORD, if any, must not stand in for the --admin-password under test.
    public static Task<ProcessRun> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null) =>
        ChildProcess.RunAsync(ProcessSpec.Project(Path.Combine("tools", "Orchestrator.Validation"), arguments) with
        {
            Name = "validation CLI",
            InheritEnvironment = true,
            RemoveVariables = ["ADMIN_PASSWORD"],
            Environment = environment ?? new Dictionary<string, string>(),
        }, RunDeadline);
}
