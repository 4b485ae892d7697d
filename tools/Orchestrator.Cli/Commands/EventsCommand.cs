using System.CommandLine;
using System.Text.Json;
using Orchestrator.Cli.Cli;
using Orchestrator.Protocol;

namespace Orchestrator.Cli.Commands;

// Follows the live event stream; when the manager closes it (restart, deploy) it reconnects with the last
// id it printed, so nothing is skipped. --json prints one event per line (NDJSON) for scripts.
public static class EventsCommand
{
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    public static Command Create(CliContext context)
    {
        var since = new Option<string?>("--since") { Description = "Start after this event id (as Last-Event-ID); default: from now" };
        var count = new Option<int?>("--count") { Description = "Stop after this many events" };
        var command = new Command("events", "Follow the live event stream (Ctrl+C to stop)") { since, count };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var client = context.Client();
            var last = parse.GetValue(since);
            var remaining = parse.GetValue(count) ?? int.MaxValue;
            if (remaining < 1) throw new UsageException("--count: must be at least 1");
            var json = parse.GetValue(CliApp.Json);
            // Ctrl+C is how a follow ends (see the description): exit 0, not "the manager did not answer".
            try
            {
                await FollowAsync();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            return ExitCodes.Success;

            async Task FollowAsync()
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    try
                    {
                        await foreach (var e in client.StreamEventsAsync(last, cancellationToken))
                        {
                            last = e.Id;
                            await context.Out.WriteLineAsync(json ? JsonSerializer.Serialize(e, ProtocolJsonContext.Default.ManagerEvent) : Line(e));
                            await context.Out.FlushAsync(cancellationToken);
                            if (--remaining == 0) return;
                        }
                    }
                    catch (Exception ex) when (ex is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
                    {
                        await context.Error.WriteLineAsync($"stream interrupted ({ex.Message}); reconnecting after {last ?? "now"}");
                    }
                    await Task.Delay(ReconnectDelay, cancellationToken);
                }
            }
        });
        return command;
    }

    private static string Line(ManagerEvent e) =>
        string.Join("  ", new[]
        {
            e.Time.ToString("HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture), e.Type,
            e.Tenant is null ? null : "tenant=" + e.Tenant, e.ContainerId is null ? null : "container=" + e.ContainerId,
            e.AgentId is null ? null : "agent=" + e.AgentId, e.DeploymentId is null ? null : "deployment=" + e.DeploymentId,
            e.State is null ? null : "state=" + e.State, e.Detail,
        }.Where(s => s is not null));
}
