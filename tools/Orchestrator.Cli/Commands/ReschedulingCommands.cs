using System.CommandLine;
using System.Globalization;
using Orchestrator.Cli.Cli;
using Orchestrator.Protocol;

namespace Orchestrator.Cli.Commands;

// rescheduling pause|resume (admin): hold rescheduling fleet-wide with a note and an optional end, take over the
// automatic mass-disconnect pause, or resume either. `orchestrator status` shows who paused, why and until when.
public static class ReschedulingCommands
{
    public static Command Create(CliContext context)
    {
        var rescheduling = new Command("rescheduling", "Hold or resume rescheduling fleet-wide (admin)");
        rescheduling.Subcommands.Add(Pause(context));
        rescheduling.Subcommands.Add(Resume(context));
        return rescheduling;
    }

    public static string Describe(ReschedulingPauseView p) =>
        $"paused by {p.By} since {p.Since:u}" + (p.Until is { } until ? $" until {until:u}" : "") + (p.Note is { Length: > 0 } note ? $": {note}" : "")
        + (p.Kind == "automatic" ? $" ({p.Reason})" : "");

    private static Command Pause(CliContext context)
    {
        var note = new Option<string>("--note") { Description = "Why (shown on status, the console and in the audit log)" };
        var duration = new Option<string>("--for") { Description = "How long, e.g. 30m, 2h (default: until resumed)" };
        var command = new Command("pause", "Hold rescheduling: no agent of a lost node moves until resumed") { note, duration };
        command.SetAction(async (parse, cancellationToken) =>
        {
            DateTimeOffset? until = null;
            if (parse.GetValue(duration) is { Length: > 0 } text)
            {
                if (ParseDuration(text) is not { } span)
                {
                    context.Error.WriteLine($"error: --for '{text}' is not a duration like 30m, 2h or 1d");
                    return ExitCodes.Usage;
                }
                until = DateTimeOffset.UtcNow + span;
            }
            var pause = await context.Client().PauseReschedulingAsync(new PauseReschedulingRequest(parse.GetValue(note), until),
                CliContext.WithCallTimeout(cancellationToken));
            return context.Print(parse, pause, CliJsonContext.Default.ReschedulingPauseView, p => context.Out.WriteLine("rescheduling " + Describe(p)));
        });
        return command;
    }

    private static Command Resume(CliContext context)
    {
        var command = new Command("resume", "Resume rescheduling, also after an automatic mass-disconnect pause");
        command.SetAction(async (parse, cancellationToken) =>
        {
            await context.Client().ResumeReschedulingAsync(CliContext.WithCallTimeout(cancellationToken));
            return context.Done(parse, "rescheduling resumed");
        });
        return command;
    }

    private static TimeSpan? ParseDuration(string text)
    {
        if (text.Length < 2 || !double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n <= 0) return null;
        return text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => null,
        };
    }
}
