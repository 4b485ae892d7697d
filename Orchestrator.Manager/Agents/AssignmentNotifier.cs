using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Orchestrator.Manager.Telemetry;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Agents;

// Wakes held long-polls when a container's desired state changes on any replica. One pattern
// subscription per process; the held polls are open requests, not state: Redis holds the truth.
// The scripts publish in the same step as the change, so a wake-up is lost only while the subscription's
// connection is down: when it fails or comes back, every held poll is woken to read again. While the
// subscription is up, a held poll does no periodic re-read (at 10,000 held polls, re-reading every 5 s was
// 2,000 scripts a second of idle load, six times the fleet's heartbeats).
// At most one poll is held per container (a newer one replaces it), and only for a container the
// caller may read, so memory is bounded by the registered containers, never by what callers send.
public sealed class AssignmentNotifier : BackgroundService
{
    public const string HeldGauge = "orchestrator.manager.long_polls.held";

    private readonly ConcurrentDictionary<string, HeldPoll> _held = new(StringComparer.Ordinal);
    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<AssignmentNotifier> _logger;
    private readonly TimeProvider _time;

    // The client resubscribes just after its connection is restored: a change published in between is caught
    // by a second wake-up this much later.
    private static readonly TimeSpan ResubscribeGrace = TimeSpan.FromSeconds(1);

    public AssignmentNotifier(IConnectionMultiplexer redis, ILogger<AssignmentNotifier> logger, IMeterFactory meters, TimeProvider time)
    {
        _redis = redis;
        _logger = logger;
        _time = time;
        meters.Create(ManagerMetrics.MeterName).CreateObservableGauge(HeldGauge, () => HeldCount, "{request}",
            "Assignment long-polls held open, waiting for a change (at most one per container)");
    }

    // Long-polls held right now (the orchestrator.manager.long_polls.held gauge).
    public int HeldCount => _held.Count;

    public bool IsHeld(string containerId) => _held.ContainsKey(containerId);

    // False until the subscription is made and while its connection is down: held polls then re-read periodically.
    public bool Subscribed => _subscribed && _subscriptionUp;

    private volatile bool _subscribed;
    private volatile bool _subscriptionUp = true;

    // While the change subscription is not up (wake-ups may be lost), a held poll re-reads at least this often.
    // While it is up, the poll waits for its wake-up or its deadline.
    private static readonly TimeSpan RecheckEvery = TimeSpan.FromSeconds(5);

    // How a long-poll ended: refused (Access), replaced by a newer poll of the same container, answered because the
    // manager is stopping, or answered with the desired state read last (changed past `after`, or the deadline came).
    public sealed record PollAnswer(AccessOutcome Access, DesiredState? Desired, bool Stopping = false, bool Replaced = false);

    // The long-poll of one container: reads its desired state through `read` and, while it has not moved past
    // `after`, holds the poll until a wake-up, the deadline or the manager stopping. Access is read first: a poll for
    // a container that does not exist, or is not the caller's, is answered without ever being held, so unknown ids
    // cost no memory.
    public async Task<PollAnswer> WaitForChangeAsync(string containerId, long after, DateTimeOffset deadline,
        Func<Task<(AccessOutcome, DesiredState?)>> read, CancellationToken stopping, CancellationToken cancellationToken)
    {
        var (access, desired) = await read();
        if (access != AccessOutcome.Allowed) return new(access, null);
        if (stopping.IsCancellationRequested) return new(access, desired, Stopping: true);
        if (desired!.Generation > after || deadline <= _time.GetUtcNow()) return new(access, desired);

        using var held = Hold(containerId);
        while (true)
        {
            var change = held.NextChange();
            // Stopping: answer with the state already read, without another Redis call, since the manager's
            // Redis connection may be closing under it (a read here answered 500 during shutdown).
            if (stopping.IsCancellationRequested) return new(access, desired, Stopping: true);
            (access, desired) = await read();
            if (access != AccessOutcome.Allowed) return new(access, null);
            if (held.Replaced) return new(access, desired, Replaced: true);
            var remaining = deadline - _time.GetUtcNow();
            // A stopping manager answers at once, so held polls never hold up its shutdown: the
            // orchestrator simply polls again, on whichever replica answers next.
            if (stopping.IsCancellationRequested) return new(access, desired, Stopping: true);
            if (desired!.Generation > after || remaining <= TimeSpan.Zero) return new(access, desired);
            // The deadline, the periodic re-check and a stopping manager all end the wait without an exception (at
            // 10,000 held polls, one expires every 2.5 ms): the loop reads again and answers, or, stopping, answers
            // with the current state. Only the caller going away ends the request.
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, stopping))
            {
                var recheck = Subscribed || remaining < RecheckEvery ? remaining : RecheckEvery;
                await change.WaitAsync(recheck, _time, linked.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            cancellationToken.ThrowIfCancellationRequested();
            // Not woken while subscribed: nothing changed, so at the deadline the state read last is still the
            // current one, and the poll is answered without another read (at 10,000 held polls, 400 reads a second).
            if (!change.IsCompleted && Subscribed && !stopping.IsCancellationRequested
                && _time.GetUtcNow() >= deadline) return new(access, desired);
        }
    }

    // Call only after the caller's access to the container was checked. Dispose on every exit path.
    public HeldPoll Hold(string containerId)
    {
        var poll = new HeldPoll(this, containerId);
        _held.AddOrUpdate(containerId, poll, (_, previous) =>
        {
            previous.Replace();
            return poll;
        });
        return poll;
    }

    private void Release(HeldPoll poll) => _held.TryRemove(KeyValuePair.Create(poll.ContainerId, poll));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _redis.ConnectionFailed += (_, e) => SubscriptionChanged(e.ConnectionType, up: false);
        _redis.ConnectionRestored += (_, e) => SubscriptionChanged(e.ConnectionType, up: true);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _redis.GetSubscriber().SubscribeAsync(RedisKeys.AnyContainerChanged, (channel, _) => Signal(channel.ToString()));
                _subscribed = true;
                WakeAll(); // a change made before the subscription took hold
                return; // StackExchange.Redis resubscribes by itself after a reconnect.
            }
            catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
            {
                // RedisException: also "LOADING" from a Redis that is reading its append-only file after a restart.
                _logger.LogWarning("Cannot subscribe to assignment changes yet ({Reason}); long-polls fall back to polling", ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
            }
        }
    }

    // A subscription connection failed (wake-ups may be lost from now on) or came back (some may have been lost):
    // either way every held poll reads its desired state again, and re-reads periodically while it is down.
    private void SubscriptionChanged(ConnectionType type, bool up)
    {
        if (type != ConnectionType.Subscription) return;
        // The client raises these events on worker threads, so a failure's may run after the restore's: the state
        // is read from the connection itself, not taken from the event.
        _subscriptionUp = _redis.GetSubscriber().IsConnected(RedisKeys.AnyContainerChanged);
        WakeAll();
        if (up) _ = Task.Delay(ResubscribeGrace, _time).ContinueWith(_ => WakeAll(), TaskScheduler.Default);
    }

    private void WakeAll()
    {
        foreach (var poll in _held.Values) poll.Changed();
    }

    private void Signal(string channel)
    {
        if (RedisKeys.ContainerIdFromChannel(channel) is { } id && _held.TryGetValue(id, out var poll)) poll.Changed();
    }

    // One held long-poll. Take NextChange() before reading the generation, so a change in between is never missed.
    public sealed class HeldPoll(AssignmentNotifier owner, string containerId) : IDisposable
    {
        private TaskCompletionSource _change = NewSignal();
        private volatile bool _replaced;

        public string ContainerId { get; } = containerId;

        // True once a newer poll for the same container took this one's place.
        public bool Replaced => _replaced;

        public Task NextChange() => Volatile.Read(ref _change).Task;

        internal void Changed() => Interlocked.Exchange(ref _change, NewSignal()).TrySetResult();

        internal void Replace()
        {
            _replaced = true;
            Changed();
        }

        public void Dispose() => owner.Release(this);

        private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
