using System.CommandLine;
using System.Globalization;
using Orchestrator.Cli.Cli;
using Orchestrator.Protocol;

namespace Orchestrator.Cli.Commands;

// audit: who changed what, newest first, within the caller's tenants.
public static class AuditCommand
{
    public static Command Create(CliContext context)
    {
        var tenant = new Option<string?>("--tenant") { Description = "Only this tenant's entries" };
        var actor = new Option<string?>("--actor") { Description = "Only this actor's entries (an operator name, admin, cluster:<name>)" };
        var action = new Option<string?>("--action") { Description = "Only this action (deploy, stop, revoke, login, ...)" };
        var since = new Option<string?>("--since") { Description = "Only entries from this ISO 8601 time on" };
        var limit = new Option<int?>("--limit") { Description = "At most this many entries (default 100)" };
        var cursor = new Option<string?>("--cursor") { Description = "Continue after a previous page's next_cursor" };
        var command = new Command("audit", "Show the audit log, newest first") { tenant, actor, action, since, limit, cursor };
        command.SetAction(async (parse, cancellationToken) =>
        {
            DateTimeOffset? from = null;
            if (parse.GetValue(since) is { } text)
                from = DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)
                    ? parsed : throw new UsageException($"--since: '{text}' is not an ISO 8601 time such as 2026-12-01T17:00:00Z");
            var page = await context.Client().GetAuditAsync(parse.GetValue(tenant), parse.GetValue(actor), parse.GetValue(action), from,
                parse.GetValue(limit), parse.GetValue(cursor), CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, page, CliJsonContext.Default.AuditPage, p =>
            {
                var table = new TextTable("TIME", "ACTOR", "ROLE", "TENANT", "ACTION", "TARGET", "OUTCOME");
                foreach (var e in p.Entries) table.Add(e.Time, e.Actor, e.Role, e.Tenant, e.Action, e.Target, e.Outcome);
                table.WriteTo(context.Out);
                if (p.NextCursor is not null) context.Out.WriteLine($"(more: --cursor {p.NextCursor})");
            });
        });
        return command;
    }
}
