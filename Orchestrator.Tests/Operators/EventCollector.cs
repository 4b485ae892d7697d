using System.Collections.Concurrent;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Tests.Operators;

// Reads one event stream in the background, stamping each event with when it arrived.
public sealed class EventCollector : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    // From the stream's beginning by default ("0-0"), so no event is missed while the request is on its
    // way; tests pick out their own change's events by id.
    public EventCollector(ManagerClient client, string? lastEventId = "0-0") =>
        _reading = Task.Run(async () =>
        {
            try
            {
                var stream = client.StreamEventsAsync(lastEventId, _stop.Token);
                await using var events = stream.GetAsyncEnumerator(_stop.Token);
                while (await events.MoveNextAsync()) Received.Enqueue((events.Current, DateTimeOffset.UtcNow));
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                Failure = ex;
            }
        });

    public ConcurrentQueue<(ManagerEvent Event, DateTimeOffset At)> Received { get; } = new();

    public Exception? Failure { get; private set; }

    public IReadOnlyList<ManagerEvent> Events => Received.Select(r => r.Event).ToList();

    public async Task<(ManagerEvent Event, DateTimeOffset At)> WaitForAsync(Func<ManagerEvent, bool> match, TimeSpan timeout, string what)
    {
        return await Deadline.PollAsync<(ManagerEvent, DateTimeOffset)?>(() =>
        {
            if (Failure is not null) throw new InvalidOperationException("the stream failed", Failure);
            foreach (var r in Received) if (match(r.Event)) return Task.FromResult<(ManagerEvent, DateTimeOffset)?>(r);
            return Task.FromResult<(ManagerEvent, DateTimeOffset)?>(null);
        }, timeout, what, TimeSpan.FromMilliseconds(20)) ?? throw new TimeoutException(what);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _reading; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
