using System.CommandLine;
using System.Text.Json;
using Orchestrator.Cli.Cli;
using Orchestrator.Protocol;

namespace Orchestrator.Cli.Commands;

// tokens create|list|revoke: enrollment tokens a customer's node exchanges for its own credential.
public static class TokensCommands
{
    public static Command Create(CliContext context)
    {
        var tokens = new Command("tokens", "Enrollment tokens");
        tokens.Subcommands.Add(New(context));
        tokens.Subcommands.Add(List(context));
        tokens.Subcommands.Add(Revoke(context));
        return tokens;
    }

    private static Command New(CliContext context)
    {
        var tenant = new Option<string>("--orchestrator-id") { Description = "The tenant (customer) the token enrolls nodes for", Required = true };
        var ttl = new Option<int?>("--ttl") { Description = "Seconds the token stays valid" };
        var maxUses = new Option<int?>("--max-uses") { Description = "How many nodes may enroll with it (0: unlimited)" };
        var maxAgents = new Option<int?>("--max-agents") { Description = "The most max_agents an enrolled node may claim" };
        var capability = new Option<string[]>("--capability") { Description = "A capability enrolled nodes may claim (repeat)" };
        var replaces = new Option<string?>("--replaces")
        {
            Description = "The container_id of a live node of the tenant the token may take over (a replaced machine); without it, a live node's name is refused",
        };
        var command = new Command("create", "Create an enrollment token (shown once)") { tenant, ttl, maxUses, maxAgents, capability, replaces };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = new CreateEnrollmentTokenRequest(JsonString(parse.GetValue(tenant)!), parse.GetValue(ttl), parse.GetValue(maxUses),
                parse.GetValue(maxAgents), parse.GetValue(capability) is { Length: > 0 } caps ? caps : null, null, parse.GetValue(replaces));
            var created = await context.Client().CreateEnrollmentTokenAsync(request, CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, created, CliJsonContext.Default.EnrollmentTokenCreated, t =>
            {
                context.Out.WriteLine(t.Token);
                context.Error.WriteLine($"token {t.TokenId} for tenant {t.OrchestratorId}, {t.MaxUses} uses, expires {t.ExpiresAt:u}. It is shown only this once.");
            });
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var command = new Command("list", "List enrollment tokens (never their secrets)");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var listed = await context.Client().ListEnrollmentTokensAsync(CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, listed, CliJsonContext.Default.EnrollmentTokenListResponse, l =>
            {
                var table = new TextTable("ID", "TENANTS", "USES", "EXPIRES", "MAX AGENTS");
                foreach (var t in l.Tokens.OrderBy(t => t.CreatedAt))
                    table.Add(t.TokenId, string.Join(",", t.OrchestratorIds), t.MaxUses == 0 ? $"{t.Uses}/unlimited" : $"{t.Uses}/{t.MaxUses}", t.ExpiresAt, t.MaxAgents);
                table.WriteTo(context.Out);
            });
        });
        return command;
    }

    private static Command Revoke(CliContext context)
    {
        var id = new Argument<string>("token-id");
        var command = new Command("revoke", "Revoke an enrollment token (nodes it enrolled keep their credentials)") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var token = parse.GetValue(id)!;
            await context.Client().DeleteEnrollmentTokenAsync(token, CliContext.WithCallTimeout(cancellationToken));
            return context.Done(parse, $"enrollment token {token} revoked");
        });
        return command;
    }

    private static JsonElement JsonString(string value)
    {
        using var document = JsonDocument.Parse("\"" + JsonEncodedText.Encode(value) + "\"");
        return document.RootElement.Clone();
    }
}
