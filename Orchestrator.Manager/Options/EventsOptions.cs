namespace Orchestrator.Manager.Options;

// The live event stream (GET /api/v1/events). Bound from "Events"; checked by EventsOptionsValidator.
public sealed class EventsOptions
{
    public const string SectionName = "Events";

    // Entries the Redis stream keeps (XADD MAXLEN ~): how far back a client can resume with Last-Event-ID.
    public int MaxLength { get; set; } = 10_000;

    // Streams one token may hold open at once (on this replica); one more answers 429.
    public int MaxStreamsPerToken { get; set; } = 4;

    // A `: heartbeat` comment after this long without an event, so proxies and clients know the stream lives.
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    // How often an open stream looks for new entries while idle: the most an event waits before it is sent.
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    // Events waiting to be written when Redis is slow; beyond this they are dropped (and counted), never
    // slowing down the API call that caused them.
    public int QueueCapacity { get; set; } = 10_000;
}
