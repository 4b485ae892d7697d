using System.Runtime.CompilerServices;
using System.Text;

namespace Orchestrator.Protocol.Client;

// The text/event-stream framing the event stream uses (WHATWG HTML "Server-sent events"): `id:`, `event:`
// and `data:` lines end with a blank line; lines starting with ':' are comments (the manager's heartbeat).
public static class ServerSentEvents
{
    public const string MediaType = "text/event-stream";
    public const string LastEventIdHeader = "Last-Event-ID";

    // Each event's data (multi-line data joined with '\n'); comments and other fields are skipped.
    public static async IAsyncEnumerable<string> ReadDataAsync(Stream stream, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0) yield return data.ToString();
                data.Clear();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                if (data.Length > 0) data.Append('\n');
                data.Append(line.AsSpan(line.StartsWith("data: ", StringComparison.Ordinal) ? 6 : 5));
            }
        }
    }

    // One event as the manager writes it.
    public static string Format(string id, string eventType, string data) => $"id: {id}\nevent: {eventType}\ndata: {data}\n\n";
}
