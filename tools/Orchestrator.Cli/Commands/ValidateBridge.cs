using System.CommandLine;
using Orchestrator.Cli.Cli;
using Orchestrator.Validation.Cli;

namespace Orchestrator.Cli.Commands;

// `orchestrator validate ...` is tools/Orchestrator.Validation (the seed's six phases) with its own options;
// the manager URL and password default to the saved login and ORCHESTRATOR_PASSWORD.
public static class ValidateBridge
{
    public static Command Create(CliContext context)
    {
        var command = new Command("validate", "Run the six-phase validation (options: --orchestrator-url URL ..., see `validate --help`)")
        {
            TreatUnmatchedTokensAsErrors = false,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var args = parse.UnmatchedTokens.ToList();
            if (!args.Contains("--manager-url") && context.Config.Load() is { } login) args.AddRange(["--manager-url", login.Url]);
            if (!args.Contains("--admin-password") && context.Variable("ADMIN_PASSWORD") is null
                && context.Variable(LoginCommands.PasswordVariable) is { Length: > 0 } password)
                args.AddRange(["--admin-password", password]);
            return await ValidateCommand.RunAsync([.. args], context.Out, context.Error);
        });
        return command;
    }
}
