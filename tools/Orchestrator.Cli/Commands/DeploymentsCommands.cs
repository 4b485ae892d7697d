using System.CommandLine;
using Orchestrator.Cli.Cli;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;
using Spectre.Console;

namespace Orchestrator.Cli.Commands;

// deployments list|show|create|update|promote|pause|resume|revert|history|delete (issue 25). --wait follows the
// rollout with a progress bar until it ends (or waits for promote) and exits 1 when it failed or was reverted, so
// a release script stops on a bad version.
public static class DeploymentsCommands
{
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(500);

    private static readonly Option<bool> Wait = new("--wait")
    {
        Description = "Follow the rollout with a progress bar until it ends; exit 1 when it failed or was reverted",
    };

    public static Command Create(CliContext context)
    {
        var deployments = new Command("deployments", "Deployments: revisions and rolling updates");
        deployments.Subcommands.Add(List(context));
        deployments.Subcommands.Add(Show(context));
        deployments.Subcommands.Add(CreateCommand(context));
        deployments.Subcommands.Add(Update(context));
        deployments.Subcommands.Add(Steer(context, "promote",
            "Let a rollout waiting on its canaries go on (one old agent goes for each canary placed beside them)", ManagerRoutes.DeploymentPromote));
        deployments.Subcommands.Add(Steer(context, "pause", "Hold a rollout (agents already updated stay)", ManagerRoutes.DeploymentPause));
        deployments.Subcommands.Add(Steer(context, "resume", "Go on with a paused rollout", ManagerRoutes.DeploymentResume));
        deployments.Subcommands.Add(Steer(context, "restart", "Restart every agent in place, max_parallel at a time behind the health gate",
            ManagerRoutes.DeploymentRestart));
        deployments.Subcommands.Add(Revert(context));
        deployments.Subcommands.Add(History(context));
        deployments.Subcommands.Add(Delete(context));
        return deployments;
    }

    private static Command List(CliContext context)
    {
        var command = new Command("list", "List deployments");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var listed = await context.Client().ListDeploymentsAsync(CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, listed, CliJsonContext.Default.DeploymentListResponse, l =>
            {
                var table = new TextTable("DEPLOYMENT", "NAME", "TENANT", "STATE", "REVISION", "STABLE", "HEALTHY", "VERSION");
                foreach (var d in l.Deployments)
                    table.Add(d.DeploymentId, d.Name, d.Tenant, d.State, d.Revision, d.StableRevision, $"{Target(d).Healthy}/{d.Replicas}", d.Spec.Version);
                table.WriteTo(context.Out);
            });
        });
        return command;
    }

    private static Command Show(CliContext context)
    {
        var id = new Argument<string>("deployment-id");
        var command = new Command("show", "Show one deployment with its per-revision counts") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var d = await context.Client().GetDeploymentAsync(parse.GetValue(id)!, CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, d, CliJsonContext.Default.DeploymentView, _ => Describe(context.Out, d));
        });
        return command;
    }

    // The spec and strategy options create and update share.
    private sealed class SpecOptions
    {
        public Option<string?> Type { get; } = new("--type") { Description = "spec.agent_type, e.g. trading_agent" };
        public Option<string?> Config { get; } = new("--config") { Description = "spec.agent_config: JSON, or @file to read it from a file" };
        public Option<string?> Version { get; } = new("--version") { Description = "spec.version: your label for this build (shown, never interpreted)" };
        public Option<int?> Replicas { get; } = new("--replicas") { Description = "How many agents" };
        public Option<int?> MaxParallel { get; } = new("--max-parallel") { Description = "update.max_parallel: agents updated at once (default 1)" };
        public Option<int?> Canary { get; } = new("--canary") { Description =
            "update.canary: agents of the new revision first, placed beside the old ones when there is room (else updated in place), then wait for promote (default 0)" };
        public Option<int?> MinHealthy { get; } = new("--min-healthy-seconds") { Description = "update.min_healthy_seconds (default 10)" };
        public Option<int?> HealthyDeadline { get; } = new("--healthy-deadline-seconds") { Description = "update.healthy_deadline_seconds (default 300)" };
        public Option<int?> ProgressDeadline { get; } = new("--progress-deadline-seconds") { Description = "update.progress_deadline_seconds (default 600)" };
        public Option<bool?> AutoRevert { get; } = new("--auto-revert") { Description = "update.auto_revert: roll back a failed revision" };
        public Option<bool?> AutoPromote { get; } = new("--auto-promote") { Description = "update.auto_promote: promote healthy canaries" };

        public void AddTo(Command command)
        {
            foreach (var option in new Option[] { Type, Config, Version, Replicas, MaxParallel, Canary, MinHealthy, HealthyDeadline, ProgressDeadline, AutoRevert, AutoPromote })
                command.Options.Add(option);
            command.Options.Add(Wait);
        }

        public UpdateStrategy? Strategy(ParseResult parse)
        {
            var strategy = new UpdateStrategy(parse.GetValue(MaxParallel), parse.GetValue(Canary), parse.GetValue(MinHealthy), parse.GetValue(HealthyDeadline),
                parse.GetValue(ProgressDeadline), parse.GetValue(AutoRevert), parse.GetValue(AutoPromote));
            return strategy == new UpdateStrategy() ? null : strategy;
        }
    }

    private static Command CreateCommand(CliContext context)
    {
        var name = new Option<string>("--name") { Description = "The deployment's name", Required = true };
        var tenant = new Option<string?>("--tenant") { Description = "The tenant (orchestrator_id) its agents run in" };
        var onClusterLoss = new Option<string?>("--on-cluster-loss") { Description = "on_cluster_loss: keep or reschedule" };
        var spec = new SpecOptions();
        var command = new Command("create", "Create a deployment: its replicas are placed as revision 1") { name, tenant, onClusterLoss };
        spec.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var request = new CreateDeploymentRequest(parse.GetValue(name), parse.GetValue(tenant), parse.GetValue(spec.Replicas),
                new DeploymentSpec(parse.GetValue(spec.Type), parse.GetValue(spec.Config) is { } c ? AgentsCommands.Config(c) : null, parse.GetValue(spec.Version)),
                null, parse.GetValue(onClusterLoss), spec.Strategy(parse));
            var client = context.Client();
            var created = await client.CreateDeploymentAsync(request, CliContext.WithCallTimeout(cancellationToken));
            return await FinishAsync(context, parse, client, created, cancellationToken);
        });
        return command;
    }

    private static Command Update(CliContext context)
    {
        var id = new Argument<string>("deployment-id");
        var spec = new SpecOptions();
        var command = new Command("update", "Change a deployment: a new --config/--version/--type rolls out a new revision; --replicas scales") { id };
        spec.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var client = context.Client();
            var deployment = parse.GetValue(id)!;
            DeploymentSpec? next = null;
            if (parse.GetValue(spec.Type) is not null || parse.GetValue(spec.Config) is not null || parse.GetValue(spec.Version) is not null)
            {
                // What is not given stays as the current revision has it.
                var current = (await client.GetDeploymentAsync(deployment, CliContext.WithCallTimeout(cancellationToken))).Spec;
                next = new DeploymentSpec(parse.GetValue(spec.Type) ?? current.AgentType,
                    parse.GetValue(spec.Config) is { } c ? AgentsCommands.Config(c) : current.AgentConfig, parse.GetValue(spec.Version) ?? current.Version);
            }
            var updated = await client.UpdateDeploymentAsync(deployment, new UpdateDeploymentRequest(parse.GetValue(spec.Replicas), next, spec.Strategy(parse)),
                CliContext.WithCallTimeout(cancellationToken));
            return await FinishAsync(context, parse, client, updated, cancellationToken);
        });
        return command;
    }

    private static Command Steer(CliContext context, string name, string description, string route)
    {
        var id = new Argument<string>("deployment-id");
        var command = new Command(name, description) { id, Wait };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var client = context.Client();
            var view = await client.SteerDeploymentAsync(route, parse.GetValue(id)!, null, CliContext.WithCallTimeout(cancellationToken));
            return await FinishAsync(context, parse, client, view, cancellationToken);
        });
        return command;
    }

    private static Command Revert(CliContext context)
    {
        var id = new Argument<string>("deployment-id");
        var revision = new Option<long?>("--revision") { Description = "The revision to go back to (default: the last healthy one)" };
        var command = new Command("revert", "Roll a deployment back to an earlier revision") { id, revision, Wait };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var client = context.Client();
            var view = await client.SteerDeploymentAsync(ManagerRoutes.DeploymentRevert, parse.GetValue(id)!, parse.GetValue(revision),
                CliContext.WithCallTimeout(cancellationToken));
            return await FinishAsync(context, parse, client, view, cancellationToken);
        });
        return command;
    }

    private static Command History(CliContext context)
    {
        var id = new Argument<string>("deployment-id");
        var command = new Command("history", "A deployment's revisions") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var revisions = await context.Client().GetRevisionsAsync(parse.GetValue(id)!, CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, revisions, CliJsonContext.Default.RevisionListResponse, r =>
            {
                var table = new TextTable("REVISION", "VERSION", "TYPE", "HEALTHY", "CREATED", "CONFIG");
                foreach (var v in r.Revisions)
                    table.Add(v.Revision, v.Spec.Version, v.Spec.AgentType, v.Healthy ? "yes" : "no", v.CreatedAt, v.Spec.AgentConfig?.GetRawText());
                table.WriteTo(context.Out);
            });
        });
        return command;
    }

    private static Command Delete(CliContext context)
    {
        var id = new Argument<string>("deployment-id");
        var command = new Command("delete", "Stop every agent of a deployment and remove it") { id };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var deployment = parse.GetValue(id)!;
            await context.Client().DeleteDeploymentAsync(deployment, CliContext.WithCallTimeout(cancellationToken));
            return context.Done(parse, $"deployment {deployment} deleted");
        });
        return command;
    }

    // Prints the deployment; with --wait follows it first. Exit 1 when it ended failed or reverted.
    private static async Task<int> FinishAsync(CliContext context, ParseResult parse, ManagerClient client, DeploymentView view,
        CancellationToken cancellationToken)
    {
        if (parse.GetValue(Wait)) view = await FollowAsync(context, parse, client, view, cancellationToken);
        context.Print(parse, view, CliJsonContext.Default.DeploymentView, d => Describe(context.Out, d));
        if (view.State is DeploymentStates.Failed or DeploymentStates.Reverted && parse.GetValue(Wait))
        {
            await context.Error.WriteLineAsync($"error: deployment {view.DeploymentId} {view.State}: {view.Description}");
            return ExitCodes.Failure;
        }
        return ExitCodes.Success;
    }

    // Polls until the rollout ends, waits for promote, or is paused. A progress bar for people; nothing with --json.
    private static async Task<DeploymentView> FollowAsync(CliContext context, ParseResult parse, ManagerClient client, DeploymentView view,
        CancellationToken cancellationToken)
    {
        bool Settled(DeploymentView d) => DeploymentStates.IsFinal(d.State) || d.AwaitingPromotion || d.State == DeploymentStates.Paused;
        async Task<DeploymentView> NextAsync()
        {
            await Task.Delay(PollEvery, cancellationToken);
            return await client.GetDeploymentAsync(view.DeploymentId, CliContext.WithCallTimeout(cancellationToken));
        }
        if (parse.GetValue(CliApp.Json))
        {
            while (!Settled(view)) view = await NextAsync();
            return view;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Out) });
        await console.Progress().AutoClear(false).StartAsync(async progress =>
        {
            var task = progress.AddTask(Label(view), maxValue: Math.Max(1, view.Replicas));
            while (true)
            {
                task.Description = Label(view);
                task.MaxValue = Math.Max(1, view.Replicas);
                task.Value = Target(view).Healthy;
                if (Settled(view)) break;
                view = await NextAsync();
            }
            task.StopTask();
        });
        return view;
    }

    private static string Label(DeploymentView d) => Markup.Escape($"{d.Name} r{d.Revision} {d.State}");

    private static RevisionCounts Target(DeploymentView d) =>
        d.Revisions.FirstOrDefault(r => r.Revision == d.Revision) ?? new RevisionCounts(d.Revision, d.Replicas, 0, 0, 0);

    private static void Describe(TextWriter output, DeploymentView d)
    {
        new TextTable("FIELD", "VALUE").Add("id", d.DeploymentId).Add("name", d.Name).Add("tenant", d.Tenant).Add("state", d.State)
            .Add("revision", d.Revision).Add("stable revision", d.StableRevision).Add("replicas", d.Replicas).Add("version", d.Spec.Version)
            .Add("type", d.Spec.AgentType).Add("config", d.Spec.AgentConfig?.GetRawText())
            .Add("strategy", $"max_parallel {d.Update.MaxParallel}, canary {d.Update.Canary}, min_healthy {d.Update.MinHealthySeconds} s, " +
                $"healthy_deadline {d.Update.HealthyDeadlineSeconds} s, auto_revert {d.Update.AutoRevert}, auto_promote {d.Update.AutoPromote}")
            .Add("awaiting promotion", d.AwaitingPromotion ? "yes" : "no").Add("progress", d.Description).Add("updated", d.UpdatedAt)
            .WriteTo(output);
        var counts = new TextTable("REVISION", "DESIRED", "PLACED", "HEALTHY", "UNHEALTHY");
        foreach (var r in d.Revisions) counts.Add(r.Revision, r.Desired, r.Placed, r.Healthy, r.Unhealthy);
        counts.WriteTo(output);
    }
}
