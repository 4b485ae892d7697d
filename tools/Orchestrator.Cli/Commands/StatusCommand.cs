using System.CommandLine;
using Orchestrator.Cli.Cli;

namespace Orchestrator.Cli.Commands;

// The fleet at a glance: containers by status, capacity, and whether rescheduling is paused.
public static class StatusCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("status", "Show the fleet's status");
        command.SetAction(async (parse, cancellationToken) =>
        {
            var status = await context.Client().GetStatusAsync(CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, status, CliJsonContext.Default.ClusterStatusResponse, s =>
            {
                var table = new TextTable("FIELD", "VALUE")
                    .Add("manager", context.Config.Require().Url)
                    .Add("redis reachable", s.RedisReachable)
                    .Add("containers", s.TotalContainers);
                foreach (var (state, count) in s.ContainersByStatus.OrderBy(p => p.Key, StringComparer.Ordinal)) table.Add($"  {state}", count);
                table.Add("capacity", s.TotalCapacity).Add("agents in use", s.AgentsInUse).Add("available", s.AvailableCapacity)
                    .Add("rescheduling", s.ReschedulingPause is { } p ? ReschedulingCommands.Describe(p) : s.ReschedulingPaused ? $"paused ({s.ReschedulingPausedReason})" : "active")
                    .Add("node authentication", s.NodeAuthentication);
                table.WriteTo(context.Out);
            });
        });
        return command;
    }
}
