using System.CommandLine;
using Orchestrator.Cli.Cli;
using Orchestrator.Protocol;

namespace Orchestrator.Cli.Commands;

// operators create|list|delete (admin): scoped operators and viewers, each limited to its tenants.
public static class OperatorsCommands
{
    public static Command Create(CliContext context)
    {
        var operators = new Command("operators", "Scoped operators and viewers (admin)");
        operators.Subcommands.Add(New(context));
        operators.Subcommands.Add(List(context));
        operators.Subcommands.Add(Delete(context));
        return operators;
    }

    private static Command New(CliContext context)
    {
        var name = new Argument<string>("name");
        var tenant = new Option<string[]>("--tenant") { Description = "A tenant (orchestrator_id) it may see and act in (repeat)", Required = true };
        var role = new Option<string>("--role") { Description = "operator (reads, deploys, stops, revokes, enrolls) or viewer (reads)", DefaultValueFactory = _ => OperatorRoles.Operator };
        var command = new Command("create", "Create an operator; its api_key (its password) is shown once") { name, tenant, role };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var created = await context.Client().CreateOperatorAsync(
                new CreateOperatorRequest(parse.GetValue(name), parse.GetValue(tenant), parse.GetValue(role)), CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, created, CliJsonContext.Default.OperatorCreated, o =>
            {
                context.Out.WriteLine(o.ApiKey);
                context.Error.WriteLine($"{o.Role} {o.Name} for tenants {string.Join(",", o.Tenants)}; log in with --username {o.Name} and this api_key as the password. It is shown only this once.");
            });
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var command = new Command("list", "List operators (never their keys)");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var listed = await context.Client().ListOperatorsAsync(CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, listed, CliJsonContext.Default.OperatorListResponse, l =>
            {
                var table = new TextTable("NAME", "ROLE", "TENANTS", "CREATED");
                foreach (var o in l.Operators.OrderBy(o => o.Name, StringComparer.Ordinal)) table.Add(o.Name, o.Role, string.Join(",", o.Tenants), o.CreatedAt);
                table.WriteTo(context.Out);
            });
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var name = new Argument<string>("name");
        var command = new Command("delete", "Delete an operator: its tokens stop at their next request") { name };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var who = parse.GetValue(name)!;
            await context.Client().DeleteOperatorAsync(who, CliContext.WithCallTimeout(cancellationToken));
            return context.Done(parse, $"operator {who} deleted");
        });
        return command;
    }
}
