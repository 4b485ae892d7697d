using System.Text;
using System.Text.Json;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Manager.Events;

// Writes the text/event-stream framing to one response.
public sealed class EventStreamWriter(HttpResponse response)
{
    public static void Prepare(HttpResponse response)
    {
        response.ContentType = ServerSentEvents.MediaType;
        response.Headers.CacheControl = "no-cache";
        // nginx and similar proxies would otherwise buffer the stream.
        response.Headers["X-Accel-Buffering"] = "no";
    }

    public Task WriteAsync(ManagerEvent e, CancellationToken cancellationToken) =>
        response.WriteAsync(ServerSentEvents.Format(e.Id, e.Type, JsonSerializer.Serialize(e, ProtocolJsonContext.Default.ManagerEvent)),
            Encoding.UTF8, cancellationToken);

    public Task CommentAsync(string text, CancellationToken cancellationToken) =>
        response.WriteAsync($": {text}\n\n", Encoding.UTF8, cancellationToken);

    public Task FlushAsync(CancellationToken cancellationToken) => response.Body.FlushAsync(cancellationToken);
}
