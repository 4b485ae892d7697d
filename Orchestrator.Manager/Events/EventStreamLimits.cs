using Orchestrator.Manager.Auth;
using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Events;

// Bounds the event streams one token holds open at once (a stream holds a connection and polls Redis for
// as long as it lives). Counted per replica: a client spreading streams over N replicas gets N times as many.
// Kept here rather than as a rate-limiter policy: the limiter's 429 writer needs a JSON Accept header, and an
// EventSource asks only for text/event-stream.
public sealed class EventStreamLimits(IOptions<EventsOptions> options)
{
    private readonly ConcurrentDictionary<string, int> _open = new(StringComparer.Ordinal);

    // A slot for one stream of this caller's token, released on Dispose; null when the token holds the most already.
    public IDisposable? TryOpen(HttpContext context)
    {
        var token = TokenOf(context);
        var max = options.Value.MaxStreamsPerToken;
        if (_open.AddOrUpdate(token, 1, (_, n) => n + 1) <= max) return new Slot(this, token);
        Release(token);
        return null;
    }

    private void Release(string token)
    {
        if (_open.AddOrUpdate(token, 0, (_, n) => n - 1) <= 0) _open.TryRemove(new KeyValuePair<string, int>(token, 0));
    }

    // The bearer token itself (hashed, so the limiter never holds a usable credential).
    private static string TokenOf(HttpContext context) =>
        Fingerprint.Of(context.Request.Headers.Authorization.ToString());

    private sealed class Slot(EventStreamLimits limits, string token) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) limits.Release(token);
        }
    }
}
