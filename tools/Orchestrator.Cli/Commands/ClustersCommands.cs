using System.CommandLine;
using Orchestrator.Cli.Cli;
using Orchestrator.Protocol;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

// clusters list|show|revoke|cordon|uncordon|drain: the registered containers (one per orchestrator cluster).
public static class ClustersCommands
{
    public static Command Create(CliContext context)
    {
        var clusters = new Command("clusters", "Registered orchestrator clusters (containers)");
        clusters.Subcommands.Add(List(context));
        clusters.Subcommands.Add(Show(context));
        clusters.Subcommands.Add(Revoke(context));
        clusters.Subcommands.Add(Eligibility(context, "cordon", ContainerEligibility.Ineligible, "Take a container out of placement: no new agents, it keeps what it runs"));
        clusters.Subcommands.Add(Eligibility(context, "uncordon", ContainerEligibility.Eligible, "Put a cordoned container back into placement"));
        clusters.Subcommands.Add(Drain(context));
        return clusters;
    }

    private static Command List(CliContext context)
    {
        var status = new Option<string?>("--status") { Description = "Only this status: " + string.Join("|", ContainerStatus.All) };
        status.AcceptOnlyFromAmong([.. ContainerStatus.All]);
        var outdated = new Option<bool>("--outdated")
        {
            Description = "Only containers whose node_version is older than the manager's recommended_node_version (GET /api/v1/cluster/versions)",
        };
        var command = new Command("list", "List containers") { status, outdated };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var all = await context.Client().ListAllContainersAsync(parse.GetValue(status), CliContext.WithCallTimeout(cancellationToken));
            if (parse.GetValue(outdated))
            {
                var policy = (await context.Client().GetVersionsAsync(CliContext.WithCallTimeout(cancellationToken))).Policy;
                all = [.. all.Where(c => NodeProtocol.Compare(c.NodeVersion, policy.RecommendedNodeVersion) < 0)];
            }
            return context.Print(parse, all, CliJsonContext.Default.IReadOnlyListContainerView, list =>
            {
                var now = DateTimeOffset.UtcNow;
                var table = new TextTable("ID", "NAME", "TENANT", "STATUS", "HEALTH", "AGENTS", "HEARTBEAT", "VERSION");
                // A cordoned container shows it in its status column ("healthy, ineligible").
                foreach (var c in list.OrderBy(c => c.OrchestratorId(), StringComparer.Ordinal).ThenBy(c => c.ContainerName, StringComparer.Ordinal))
                    table.Add(c.ContainerId, c.ContainerName, c.OrchestratorId(),
                        c.Eligibility == ContainerEligibility.Ineligible ? c.Status + ", ineligible" : c.Status, c.HealthScore.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture),
                        $"{c.ActiveAgents}/{c.MaxAgents}", Age(now - c.LastHeartbeat), c.NodeVersion ?? "-");
                table.WriteTo(context.Out);
            });
        });
        return command;
    }

    private static Command Show(CliContext context)
    {
        var id = new Argument<string>("container-id");
        var command = new Command("show", "Show one container") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var c = await context.Client().GetContainerAsync(parse.GetValue(id)!, CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, c, CliJsonContext.Default.ContainerView, _ => new TextTable("FIELD", "VALUE")
                .Add("id", c.ContainerId).Add("name", c.ContainerName).Add("tenant", c.OrchestratorId()).Add("status", c.Status)
                .Add("eligibility", c.EligibilityReason is { } why ? $"{c.Eligibility} ({why})" : c.Eligibility)
                .Add("health", c.HealthScore).Add("agents", $"{c.ActiveAgents} active, {c.AssignedAgents} assigned, max {c.MaxAgents}")
                .Add("address", $"{c.HostAddress}:{c.ApiPort}").Add("capabilities", string.Join(", ", c.Capabilities))
                .Add("resources", c.Resources.GetRawText()).Add("usage", c.Usage?.GetRawText())
                .Add("version", c.NodeVersion is null ? "-" : $"{c.NodeVersion} (protocol {c.ProtocolVersion})")
                .Add("registered", c.RegisteredAt).Add("last heartbeat", c.LastHeartbeat)
                .WriteTo(context.Out));
        });
        return command;
    }

    private static Command Revoke(CliContext context)
    {
        var id = new Argument<string>("container-id");
        var command = new Command("revoke", "Revoke a container's credential (its agents are handled as if it were lost)") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var revoked = await context.Client().RevokeContainerAsync(parse.GetValue(id)!, CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, revoked, CliJsonContext.Default.RevokeResponse,
                r => context.Out.WriteLine($"container {r.ContainerId} {r.Status}"));
        });
        return command;
    }

    private static Command Eligibility(CliContext context, string name, string eligibility, string description)
    {
        var id = new Argument<string>("container-id");
        var reason = new Option<string>("--reason") { Description = "Why (shown on the container and in the audit log)" };
        var command = new Command(name, description) { id, reason };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var c = await context.Client().SetEligibilityAsync(parse.GetValue(id)!, new SetEligibilityRequest(eligibility, parse.GetValue(reason)),
                CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, c, CliJsonContext.Default.ContainerView, _ => context.Out.WriteLine($"container {c.ContainerId} {c.Eligibility}"));
        });
        return command;
    }

    // Drain (issue 27). --wait follows the progress (a progress bar, then a summary line) until the drain completes.
    private static Command Drain(CliContext context)
    {
        var id = new Argument<string>("container-id");
        var deadline = new Option<int?>("--deadline-seconds") { Description = "Honour update locks until then (default 3600); stops are forced after it" };
        var parallel = new Option<int?>("--max-parallel") { Description = "Agents moved at once (default 1)" };
        var force = new Option<bool>("--force") { Description = "Move keep and pinned agents too, without waiting for update locks" };
        var wait = new Option<bool>("--wait") { Description = "Show the progress until the drain completes" };
        var command = new Command("drain", "Cordon a container and move its reschedule agents off") { id, deadline, parallel, force, wait };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var containerId = parse.GetValue(id)!;
            var c = await context.Client().DrainContainerAsync(containerId,
                new DrainRequest(parse.GetValue(deadline), parse.GetValue(parallel), parse.GetValue(force) ? true : null), CliContext.WithCallTimeout(cancellationToken));
            if (!parse.GetValue(wait)) return context.Print(parse, c, CliJsonContext.Default.ContainerView, _ => context.Out.WriteLine($"container {c.ContainerId} draining"));
            // A progress bar for people (agents moved of those the drain had to move), then one summary line; no bar with --json.
            async Task<ContainerView> NextAsync()
            {
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
                return await context.Client().GetContainerAsync(containerId, CliContext.WithCallTimeout(cancellationToken));
            }
            if (parse.GetValue(CliApp.Json))
            {
                while (c.Drain!.State != DrainStates.Complete) c = await NextAsync();
                return context.Print(parse, c, CliJsonContext.Default.ContainerView, _ => { });
            }
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Out) });
            await console.Progress().AutoClear(false).StartAsync(async progress =>
            {
                var task = progress.AddTask(Markup.Escape(DrainLine(c.Drain!)), maxValue: 1);
                while (true)
                {
                    var d = c.Drain!;
                    task.Description = Markup.Escape(DrainLine(d));
                    task.MaxValue = Math.Max(1, d.Moved + d.Remaining);
                    task.Value = d.State == DrainStates.Complete ? task.MaxValue : d.Moved;
                    if (d.State == DrainStates.Complete) break;
                    c = await NextAsync();
                }
                task.StopTask();
            });
            context.Out.WriteLine(DrainLine(c.Drain!));
            return 0;
        });
        return command;
    }

    private static string DrainLine(DrainProgress d) =>
        $"drain {d.State}: moved {d.Moved}, remaining {d.Remaining}, moving {d.Moving.Count}, blocked by lock {d.Blocked}"
        + (d.WaitingForWindow ? ", waiting for the maintenance window" : "")
        + (d.WaitingForCapacity > 0 ? $", waiting for capacity {d.WaitingForCapacity}" : "");

    public static string Age(TimeSpan age) =>
        age < TimeSpan.Zero ? "0s" : age.TotalSeconds < 120 ? $"{age.TotalSeconds:0}s ago" : age.TotalMinutes < 120 ? $"{age.TotalMinutes:0}m ago" : $"{age.TotalHours:0}h ago";
}
