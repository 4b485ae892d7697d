using System.CommandLine;
using System.Text.Json;
using Orchestrator.Validation.Http;
using Orchestrator.Validation.Phases;
using Orchestrator.Validation.Running;

namespace Orchestrator.Validation.Cli;

// The command line: runs the seed's phases against a live deployment, prints the JSON summary on stdout
// and every failure, with its reason, on stderr.
public static class ValidateCommand
{
    public const int Passed = 0, PhaseFailed = 1, BadArguments = 2;

    private static readonly Option<string> ManagerUrl = new("--manager-url") { Description = "The central manager, e.g. http://manager-host:8000", Required = true };
    private static readonly Option<string[]> OrchestratorUrls = new("--orchestrator-url") { Description = "An orchestrator cluster's own URL, e.g. http://customer-1:8001 (repeat: orchestrator_1, orchestrator_2, ...)", Required = true };
    private static readonly Option<string?> AdminPassword = new("--admin-password") { Description = "The manager's ADMIN_PASSWORD (default: the ADMIN_PASSWORD environment variable)" };
    private static readonly Option<string?> JsonOutput = new("--json-output") { Description = "Also write the JSON summary to this file" };
    private static readonly Option<string?> Timeout = new("--timeout") { Description = "Seconds each phase may take (default 60)" };
    private static readonly Option<bool> KeepAgents = new("--keep-agents") { Description = "Leave the agents the phases deploy running" };
    private static readonly Option<string[]> DataDirs = new("--data-dir") { Description = "Each orchestrator's DATA_DIR, in --orchestrator-url order, where this host can read them (enables the state file checks)" };

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("Runs the seed's six-phase validation against a live deployment (docs/validation.md)");
        foreach (var option in new Option[] { ManagerUrl, OrchestratorUrls, AdminPassword, JsonOutput, Timeout, KeepAgents, DataDirs })
            root.Options.Add(option);
        root.SetAction(async (parse, cancellationToken) =>
        {
            var errors = new List<string>();
            var settings = ValidateArguments.Bind(parse.GetValue(ManagerUrl), parse.GetValue(OrchestratorUrls), parse.GetValue(AdminPassword)
                ?? Environment.GetEnvironmentVariable("ADMIN_PASSWORD"), parse.GetValue(Timeout), parse.GetValue(KeepAgents),
                parse.GetValue(DataDirs), parse.GetValue(JsonOutput), errors);
            if (settings is null) return BadArgumentsLine(stderr, errors);
            return await ValidateAsync(settings, parse.GetValue(JsonOutput), stdout, stderr, cancellationToken);
        });

        var result = root.Parse(args);
        if (result.Errors.Count > 0) return BadArgumentsLine(stderr, result.Errors.Select(e => e.Message));
        return await result.InvokeAsync(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    private static async Task<int> ValidateAsync(ValidationSettings settings, string? jsonOutput, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        var context = new PhaseContext(settings, http, TimeProvider.System);
        var summary = await ValidationRunner.RunAsync(ValidationRunner.SeedPhases(settings.Orchestrators.Count), context, ct,
            phase => Report(stderr, phase));
        var json = JsonSerializer.Serialize(summary, ValidationJsonContext.Readable.ValidationSummary);
        await stdout.WriteLineAsync(json);
        if (jsonOutput is not null) await File.WriteAllTextAsync(jsonOutput, json + Environment.NewLine, ct);
        await stderr.WriteLineAsync($"{summary.Result} in {summary.DurationSeconds:0.##}s");
        return summary.Passed ? Passed : PhaseFailed;
    }

    private static void Report(TextWriter stderr, PhaseResult phase)
    {
        stderr.WriteLine($"{phase.Phase}: {(phase.Passed ? "passed" : "FAILED")} ({phase.DurationSeconds:0.##}s)");
        foreach (var failure in phase.Failures) stderr.WriteLine($"{phase.Phase}: FAILED: {failure}");
    }

    private static int BadArgumentsLine(TextWriter stderr, IEnumerable<string> errors)
    {
        stderr.WriteLine($"error: {string.Join("; ", errors.Select(e => e.TrimEnd('.')))} (see --help)");
        return BadArguments;
    }
}
