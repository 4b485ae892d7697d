using System.CommandLine;
using System.Net;
using Orchestrator.Cli.Commands;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Cli.Cli;

// The command tree, and the one place that turns failures into exit codes and one-line messages:
// a refused call prints the problem's title, its fields and their messages; nothing prints a stack trace.
public static class CliApp
{
    public static readonly Option<bool> Json = new("--json") { Description = "Print JSON (the manager's records) instead of tables", Recursive = true };

    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand("orchestrator: operate the Orchestrator fleet (clusters, agents, deployments, enrollment tokens, operators, audit, events)");
        root.Options.Add(Json);
        root.Subcommands.Add(LoginCommands.Login(context));
        root.Subcommands.Add(LoginCommands.Logout(context));
        root.Subcommands.Add(StatusCommand.Create(context));
        root.Subcommands.Add(ClustersCommands.Create(context));
        root.Subcommands.Add(AgentsCommands.Create(context));
        root.Subcommands.Add(DeploymentsCommands.Create(context));
        root.Subcommands.Add(KeysCommands.Create(context));
        root.Subcommands.Add(TokensCommands.Create(context));
        root.Subcommands.Add(OperatorsCommands.Create(context));
        root.Subcommands.Add(ReschedulingCommands.Create(context));
        root.Subcommands.Add(SecretsCommands.Create(context));
        root.Subcommands.Add(AuditCommand.Create(context));
        root.Subcommands.Add(EventsCommand.Create(context));
        root.Subcommands.Add(ValidateBridge.Create(context));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        var context = new CliContext(input, output, error, Environment.GetEnvironmentVariable);
        var result = Build(context).Parse(args);
        if (result.Errors.Count > 0) return Usage(error, result, result.Errors.Select(e => e.Message));
        try
        {
            return await result.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (UsageException ex)
        {
            return Usage(error, result, [ex.Message]);
        }
        catch (ManagerProblemException ex)
        {
            WriteProblem(error, ex);
            return ExitCodes.Failure;
        }
        catch (CliFailure ex)
        {
            await error.WriteLineAsync($"error: {ex.Message}");
            return ExitCodes.Failure;
        }
        catch (HttpRequestException ex)
        {
            await error.WriteLineAsync($"error: the manager cannot be reached ({ex.Message})");
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            await error.WriteLineAsync($"error: the manager did not answer within {CliContext.CallTimeout.TotalSeconds:0} s");
            return ExitCodes.Failure;
        }
    }

    // "error: Unrecognized command or argument '--bogus'." then "usage: orchestrator agents deploy [options]".
    private static int Usage(TextWriter error, ParseResult result, IEnumerable<string> messages)
    {
        foreach (var message in messages) error.WriteLine($"error: {message}");
        error.WriteLine($"usage: {CommandPath(result)} [options] (see --help)");
        return ExitCodes.Usage;
    }

    private static string CommandPath(ParseResult result)
    {
        var names = new List<string>();
        for (var command = result.CommandResult; command is not null; command = command.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, command.Command is RootCommand ? "orchestrator" : command.Command.Name);
        return string.Join(' ', names);
    }

    // The problem's title and status, then one line per field: what a person needs to fix the call.
    private static void WriteProblem(TextWriter error, ManagerProblemException ex)
    {
        var problem = ex.Problem;
        var title = problem?.Title ?? ex.StatusCode.ToString();
        error.WriteLine($"error: {title} ({(int)ex.StatusCode}){(problem?.Detail is { Length: > 0 } detail ? ": " + detail : "")}");
        foreach (var (field, messages) in ex.FieldErrors)
            error.WriteLine($"  {field}: {string.Join(" ", messages)}");
        if (problem?.Extensions is { } extensions && extensions.TryGetValue("field", out var named))
            error.WriteLine($"  field: {named}");
        if (ex.StatusCode == HttpStatusCode.Forbidden) error.WriteLine("  (your role may not do this)");
    }
}
