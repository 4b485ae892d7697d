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
            catch (Exception ex) when (ex is RedisConnectionException or RedisTimeoutException)
            {
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
