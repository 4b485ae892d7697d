using System.Globalization;
using Docker.DotNet;
using Docker.DotNet.Models;
using Orchestrator.Agent.Workloads.Secrets;
using Orchestrator.Protocol;

namespace Orchestrator.Agent.Workloads.Containers;

// Follows one container's stdout and stderr through the engine (GET /containers/{id}/logs, follow, timestamps)
// into the agent's log, each line with the engine's own timestamp and secret values redacted before it is
// buffered. It asks from the last line the agent's log already holds (since=, a second early), and skips what the
// log has (LogPosition: older lines, and as many at that very time as it took), so an adopted container (node
// restart) or a reconnect after an engine outage neither repeats nor loses lines the engine still has.
internal sealed class ContainerLogFollower
{
    private readonly ContainerEngine _engine;
    private readonly string _id;
    private readonly WorkloadEvents _events;
    private readonly SecretRedactor _redactor;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;
    private DateTimeOffset? _last;
    private int _atLast;
    private int _skip;
    private volatile bool _exited;

    public ContainerLogFollower(ContainerEngine engine, string id, WorkloadEvents events, SecretRedactor redactor, TimeProvider time)
    {
        (_engine, _id, _events, _redactor, _time) = (engine, id, events, redactor, time);
        if (events.LogPosition() is { } position) (_last, _atLast) = (position.Time, position.AtTime);
        _run = events.Captures ? Task.Run(RunAsync) : Task.CompletedTask;
    }

    // The container has ended: the current stream is read to its end, and none is opened again.
    public void Exited() => _exited = true;

    // Waits (up to drain) for the lines the container wrote before it ended, then stops following.
    public async Task StopAsync(TimeSpan drain)
    {
        _exited = true;
        try
        {
            await _run.WaitAsync(drain, _time);
        }
        catch (TimeoutException)
        {
        }
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await FollowAsync();
                if (_exited) return;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ContainerEngine.IsGone(ex))
            {
                return;
            }
            catch (Exception ex) when (ContainerEngine.IsUnreachable(ex) || ex is DockerApiException)
            {
                // The engine is away: the container keeps writing to its engine's log; read on from _last when it is back.
            }
            try
            {
                await Task.Delay(_engine.Options.InspectPeriod, _time, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task FollowAsync()
    {
        var parameters = new ContainerLogsParameters { Follow = true, ShowStdout = true, ShowStderr = true, Timestamps = true };
        // Podman reads since= as a float (not to the nanosecond): a second early, and the rest is skipped here.
        if (_last is { } since) parameters.Since = UnixSeconds(since - TimeSpan.FromSeconds(1));
        _skip = _atLast;
        using var stream = await _engine.Client.Containers.GetContainerLogsAsync(_id, parameters, _stop.Token);
        var readers = new Dictionary<MultiplexedStream.TargetStream, RedactingLineReader>();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            var read = await stream.ReadOutputAsync(buffer, 0, buffer.Length, _stop.Token);
            if (read.EOF) break;
            if (!readers.TryGetValue(read.Target, out var reader)) readers[read.Target] = reader = new RedactingLineReader(_redactor);
            foreach (var line in reader.Feed(buffer.AsSpan(0, read.Count))) Take(read.Target, line);
        }
        foreach (var (target, reader) in readers)
        {
            if (reader.Flush() is { } rest) Take(target, rest);
        }
    }

    // "2026-12-07T07:15:20.123456789Z text": the engine's time, then the line as the container wrote it.
    private void Take(MultiplexedStream.TargetStream target, string line)
    {
        var space = line.IndexOf(' ');
        var time = space > 0 ? ParseTime(line[..space]) : null;
        var text = time is null ? line : line[(space + 1)..];
        if (time is { } t)
        {
            if (_last is { } last && t < last) return; // had it already
            if (t == _last)
            {
                if (_skip > 0)
                {
                    _skip--;
                    return;
                }
                _atLast++;
            }
            else (_last, _atLast, _skip) = (t, 1, 0);
        }
        _events.Line(target == MultiplexedStream.TargetStream.StandardError ? LogStreams.Stderr : LogStreams.Stdout, text, time ?? _last);
    }

    // RFC 3339 with up to nine fractional digits (the engines' nanoseconds); .NET takes seven, so the rest is cut.
    internal static DateTimeOffset? ParseTime(string text)
    {
        var dot = text.IndexOf('.');
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end])) end++;
            if (end - dot - 1 > 7) text = text[..(dot + 8)] + text[end..];
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var at) ? at : null;
    }

    private static string UnixSeconds(DateTimeOffset time)
    {
        var ticks = time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        return $"{(ticks / TimeSpan.TicksPerSecond).ToString(CultureInfo.InvariantCulture)}.{(ticks % TimeSpan.TicksPerSecond * 100).ToString("D9", CultureInfo.InvariantCulture)}";
    }
}
