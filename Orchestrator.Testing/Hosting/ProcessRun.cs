namespace Orchestrator.Testing.Hosting;

// A finished command-line run: its exit code and what it wrote to each stream.
public sealed record ProcessRun(int ExitCode, string Output, string Error)
{
    public IReadOnlyList<string> ErrorLines =>
        Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}
