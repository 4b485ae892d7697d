namespace Orchestrator.Tests.Operators;

// The built `orchestrator` tool run as its own process, as an operator runs it, with its own config
// directory (ORCHESTRATOR_CONFIG_DIR) so no test reads or writes the real ~/.config/orchestrator.
public sealed class OrchestratorCli
{
    public static readonly TimeSpan RunDeadline = TimeSpan.FromSeconds(60);

    public string ConfigDirectory { get; } = Directory.CreateTempSubdirectory("orchestrator-cli-").FullName;

    public string LoginFile => Path.Combine(ConfigDirectory, "credentials.json");

    public Task<ProcessRun> RunAsync(params string[] arguments) => RunAsync(arguments, new Dictionary<string, string>());

    public Task<ProcessRun> RunAsync(IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment) =>
        ChildProcess.RunAsync(ProcessSpec.Project(Path.Combine("tools", "Orchestrator.Cli"), arguments)
            .WithEnvironment(new Dictionary<string, string> { ["ORCHESTRATOR_CONFIG_DIR"] = ConfigDirectory })
            .WithEnvironment(environment) with { Name = "orchestrator CLI" }, RunDeadline);

    // Through a shell, so the password arrives on stdin as `echo pw | orchestrator login` sends it.
    public Task<ProcessRun> RunWithStdinAsync(string stdin, params string[] arguments) =>
        ChildProcess.RunAsync(new ProcessSpec("/bin/sh", ["-c", "printf '%s\\n' \"$STDIN_TEXT\" | dotnet \"$@\"", "sh",
            RepoPaths.ProjectOutput(Path.Combine("tools", "Orchestrator.Cli")), .. arguments])
        {
            Name = "orchestrator CLI",
            Environment = new Dictionary<string, string> { ["ORCHESTRATOR_CONFIG_DIR"] = ConfigDirectory, ["STDIN_TEXT"] = stdin },
        }, RunDeadline);
}
