using System.CommandLine;
using System.Text.Json;
using Orchestrator.Cli.Cli;
using Orchestrator.Protocol;

namespace Orchestrator.Cli.Commands;

// agents deploy|list|show|stop. Values the manager validates (strategy, replicas, policy) are passed as typed,
// so its 400 names the field; only what cannot be sent at all (config that is not JSON) stops here.
public static class AgentsCommands
{
    public static Command Create(CliContext context)
    {
        var agents = new Command("agents", "Agents placed on the fleet");
        agents.Subcommands.Add(Deploy(context));
        agents.Subcommands.Add(List(context));
        agents.Subcommands.Add(Show(context));
        agents.Subcommands.Add(Stop(context));
        agents.Subcommands.Add(Restart(context));
        agents.Subcommands.Add(Logs(context));
        return agents;
    }

    private static Command Deploy(CliContext context)
    {
        var type = new Option<string>("--type") { Description = "agent_type, e.g. trading_agent", Required = true };
        var config = new Option<string>("--config") { Description = "agent_config: JSON, or @file to read it from a file", Required = true };
        var strategy = new Option<string?>("--strategy") { Description = "deployment_strategy: round_robin, least_loaded, bin_pack or spread" };
        var replicas = new Option<int?>("--replicas") { Description = "How many agents to place (default 1)" };
        var onClusterLoss = new Option<string?>("--on-cluster-loss") { Description = "on_cluster_loss: keep or reschedule" };
        var capability = new Option<string[]>("--capability") { Description = "constraints.capabilities (repeat)" };
        var tenant = new Option<string?>("--orchestrator-id") { Description = "constraints.orchestrator_id: place only on this tenant's clusters" };
        var label = new Option<string[]>("--label") { Description = "constraints.labels as key=value (repeat)" };
        var idempotencyKey = new Option<string?>("--idempotency-key") { Description = "Makes a retried deploy place nothing twice" };
        var signKey = new Option<string?>("--sign-key")
        {
            Description = "Sign the spec with this Ed25519 private key (PEM, as `openssl genpkey -algorithm ed25519` writes it)",
        };
        var signKeyId = new Option<string?>("--sign-key-id") { Description = "The key's id in the nodes' TRUSTED_SIGNING_KEYS (default: the file's name)" };
        var command = new Command("deploy", "Deploy an agent")
        {
            type, config, strategy, replicas, onClusterLoss, capability, tenant, label, idempotencyKey, signKey, signKeyId,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var constraints = Constraints(parse.GetValue(capability), parse.GetValue(tenant), parse.GetValue(label));
            var agentConfig = Config(parse.GetValue(config)!);
            // Signed for the tenant the deploy pins ("" = any), which nodes of other tenants refuse.
            var signature = parse.GetValue(signKey) is { } keyFile
                ? SpecSigningFile.Sign(keyFile, parse.GetValue(signKeyId), parse.GetValue(type)!, agentConfig, parse.GetValue(tenant) ?? "")
                : null;
            var request = new DeployRequest(parse.GetValue(type), agentConfig, parse.GetValue(strategy),
                parse.GetValue(replicas), constraints, parse.GetValue(onClusterLoss), signature);
            var deployed = await context.Client().DeployAsync(request, parse.GetValue(idempotencyKey), CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, deployed, CliJsonContext.Default.DeployResponse, d =>
            {
                context.Out.WriteLine($"deployment {d.DeploymentId}: {d.Agents.Count} {d.AgentType} ({d.DeploymentStrategy}, on cluster loss: {d.OnClusterLoss})");
                var table = new TextTable("AGENT", "CONTAINER", "TENANT", "STATE", "EPOCH");
                foreach (var a in d.Agents) table.Add(a.AgentId, a.ContainerId, a.OrchestratorId, a.State, a.Epoch);
                table.WriteTo(context.Out);
            });
        });
        return command;
    }

    private static Command List(CliContext context)
    {
        var container = new Option<string?>("--container") { Description = "Only agents on this container_id" };
        var type = new Option<string?>("--type") { Description = "Only this agent_type" };
        var state = new Option<string?>("--state") { Description = "Only this state (running, assigned, failed, ...)" };
        var tenant = new Option<string?>("--orchestrator-id") { Description = "Only this tenant's agents" };
        var command = new Command("list", "List agents") { container, type, state, tenant };
        command.SetAction(async (parse, cancellationToken) =>
        {
            // Every page: the manager answers agents a page at a time (next_cursor).
            var all = await context.Client().ListAllAgentsAsync(parse.GetValue(container), parse.GetValue(type), parse.GetValue(state),
                CliContext.WithCallTimeout(cancellationToken));
            var listed = new AgentListResponse(all, all.Count);
            if (parse.GetValue(tenant) is { } only)
            {
                var mine = listed.Agents.Where(a => a.OrchestratorId == only).ToList();
                listed = new AgentListResponse(mine, mine.Count);
            }
            return context.Print(parse, listed, CliJsonContext.Default.AgentListResponse, l =>
            {
                var table = new TextTable("AGENT", "TYPE", "STATE", "CONTAINER", "TENANT", "RESTARTS", "DEPLOYMENT");
                foreach (var a in l.Agents.OrderBy(a => a.CreatedAt))
                    table.Add(a.AgentId, a.AgentType, a.State, a.ContainerId, a.OrchestratorId, a.Restarts, a.DeploymentId);
                table.WriteTo(context.Out);
            });
        });
        return command;
    }

    private static Command Show(CliContext context)
    {
        var id = new Argument<string>("agent-id");
        var command = new Command("show", "Show one agent") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var a = await context.Client().GetAgentAsync(parse.GetValue(id)!, CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, a, CliJsonContext.Default.AgentView, _ => new TextTable("FIELD", "VALUE")
                .Add("id", a.AgentId).Add("type", a.AgentType).Add("state", a.State).Add("reported state", a.ReportedState)
                .Add("container", a.ContainerId).Add("tenant", a.OrchestratorId).Add("epoch", a.Epoch).Add("on cluster loss", a.OnClusterLoss)
                .Add("deployment", a.DeploymentId).Add("created", a.CreatedAt).Add("started", a.StartedAt).Add("restarts", a.Restarts)
                .Add("error", a.Error).Add("config", a.AgentConfig.GetRawText())
                .WriteTo(context.Out));
        });
        return command;
    }

    private static Command Stop(CliContext context)
    {
        var id = new Argument<string>("agent-id");
        var command = new Command("stop", "Stop an agent and remove it from its container") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var agent = parse.GetValue(id)!;
            await context.Client().DeleteAgentAsync(agent, CliContext.WithCallTimeout(cancellationToken));
            return context.Done(parse, $"agent {agent} stopped");
        });
        return command;
    }

    private static Command Restart(CliContext context)
    {
        var id = new Argument<string>("agent-id");
        var force = new Option<bool>("--force") { Description = "Do not wait for the agent's update lock (audited as a forced restart)" };
        var command = new Command("restart", "Restart an agent in place: same spec, same node and data, next epoch") { id, force };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var restarted = await context.Client().RestartAgentAsync(parse.GetValue(id)!, parse.GetValue(force), CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, restarted, CliJsonContext.Default.RestartAgentResponse,
                r => context.Out.WriteLine($"agent {r.AgentId} restarting at epoch {r.Epoch}" + (r.Force ? " (forced)" : "")));
        });
        return command;
    }

    // agents logs AGENT [-f] [--tail N]: the lines the manager retains, then (-f) each new one until Ctrl+C.
    private static Command Logs(CliContext context)
    {
        var id = new Argument<string>("agent-id");
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines as they arrive (Ctrl+C ends)" };
        var tail = new Option<int?>("--tail") { Description = "How many of the last lines to show first (default 100)" };
        var command = new Command("logs", "Show an agent's log lines") { id, follow, tail };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var agent = parse.GetValue(id)!;
            var json = parse.GetValue(CliApp.Json);
            if (!parse.GetValue(follow))
            {
                var logs = await context.Client().GetAgentLogsAsync(agent, parse.GetValue(tail), null, CliContext.WithCallTimeout(cancellationToken));
                foreach (var line in logs.Lines) await context.Out.WriteLineAsync(Line(line, json));
                return ExitCodes.Success;
            }
            try
            {
                await foreach (var line in context.Client().FollowAgentLogsAsync(agent, parse.GetValue(tail), cancellationToken))
                {
                    await context.Out.WriteLineAsync(Line(line, json));
                    await context.Out.FlushAsync(cancellationToken);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static string Line(LogLine line, bool json) => json
        ? JsonSerializer.Serialize(line, ProtocolJsonContext.Default.LogLine)
        : line.Stream == LogStreams.Gap
            ? $"{line.Time:O} --- {line.Text}"
            : $"{line.Time:O} {(line.Stream == LogStreams.Stderr ? "E" : " ")} {line.Text}";

    // --config '{"a":1}' or --config @config.json.
    public static JsonElement Config(string value)
    {
        var text = value;
        if (value.StartsWith('@'))
        {
            var path = value[1..];
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"--config: cannot read {path} ({ex.Message})");
            }
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new UsageException($"--config: not valid JSON ({ex.Message})");
        }
    }

    private static JsonElement JsonString(string value)
    {
        using var document = JsonDocument.Parse("\"" + JsonEncodedText.Encode(value) + "\"");
        return document.RootElement.Clone();
    }

    public static DeployConstraints? Constraints(string[]? capabilities, string? orchestratorId, string[]? labels)
    {
        if (capabilities is not { Length: > 0 } && orchestratorId is null && labels is not { Length: > 0 }) return null;
        var byKey = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var label in labels ?? [])
        {
            var equals = label.IndexOf('=');
            if (equals <= 0) throw new UsageException($"--label: '{label}' is not key=value");
            byKey[label[..equals]] = label[(equals + 1)..];
        }
        return new DeployConstraints(capabilities is { Length: > 0 } ? capabilities : null,
            orchestratorId is null ? null : JsonString(orchestratorId),
            byKey.Count > 0 ? byKey : null);
    }
}
