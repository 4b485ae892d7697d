using System.CommandLine;
using Orchestrator.Cli.Cli;

namespace Orchestrator.Cli.Commands;

// secrets set|list|delete TENANT: a tenant's write-only secrets. The value is read from standard input (or a
// file), never from the command line, where other users of the machine could read it in the process list.
public static class SecretsCommands
{
    public static Command Create(CliContext context)
    {
        var secrets = new Command("secrets", "A tenant's write-only secrets (values are never shown)");
        secrets.Subcommands.Add(Set(context));
        secrets.Subcommands.Add(List(context));
        secrets.Subcommands.Add(Delete(context));
        return secrets;
    }

    private static Command Set(CliContext context)
    {
        var tenant = new Argument<string>("tenant");
        var name = new Argument<string>("name");
        var file = new Option<FileInfo>("--from-file") { Description = "Read the value from this file instead of standard input" };
        var command = new Command("set", "Set a secret; its value is read from standard input (one trailing newline dropped)") { tenant, name, file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var value = parse.GetValue(file) is { } path ? await File.ReadAllTextAsync(path.FullName, cancellationToken) : await context.In.ReadToEndAsync(cancellationToken);
            if (value.EndsWith('\n')) value = value[..^1];
            if (value.EndsWith('\r')) value = value[..^1];
            var secret = await context.Client().PutSecretAsync(parse.GetValue(tenant)!, parse.GetValue(name)!, value, CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, secret, CliJsonContext.Default.SecretView,
                s => context.Out.WriteLine($"secret {s.Name} of tenant {s.Tenant} set (version {s.Version})"));
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var tenant = new Argument<string>("tenant");
        var command = new Command("list", "List a tenant's secrets: names, versions and times") { tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var listed = await context.Client().ListSecretsAsync(parse.GetValue(tenant)!, CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, listed, CliJsonContext.Default.SecretListResponse, l =>
            {
                var table = new TextTable("NAME", "VERSION", "KEY", "UPDATED");
                foreach (var s in l.Secrets) table.Add(s.Name, s.Version, s.KeyId, s.UpdatedAt);
                table.WriteTo(context.Out);
            });
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var tenant = new Argument<string>("tenant");
        var name = new Argument<string>("name");
        var command = new Command("delete", "Delete a secret") { tenant, name };
        command.SetAction(async (parse, cancellationToken) =>
        {
            await context.Client().DeleteSecretAsync(parse.GetValue(tenant)!, parse.GetValue(name)!, CliContext.WithCallTimeout(cancellationToken));
            return context.Done(parse, $"secret {parse.GetValue(name)} deleted");
        });
        return command;
    }
}
