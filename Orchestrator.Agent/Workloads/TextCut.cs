using System.Text;

namespace Orchestrator.Agent.Workloads;

// Text a node sends or keeps from its agents (last_error, process output lines) is cut to 1 KiB of
// UTF-8, so one runaway line (say 70 KB with no newline) cannot push a heartbeat past the manager's
// body limit, which would fail every heartbeat and get the node marked lost.
public static class TextCut
{
    public const int MaxBytes = 1024;
    private const string Marker = "…";

    public static string? ToLimit(string? text, int maxBytes = MaxBytes)
    {
        if (text is null || text.Length <= maxBytes / 3 || Encoding.UTF8.GetByteCount(text) <= maxBytes) return text;
        var budget = maxBytes - Encoding.UTF8.GetByteCount(Marker);
        var used = 0;
        var end = 0;
        while (end < text.Length)
        {
            var width = char.IsSurrogatePair(text, end) ? 2 : 1;
            var bytes = Encoding.UTF8.GetByteCount(text.AsSpan(end, width));
            if (used + bytes > budget) break;
            used += bytes;
            end += width;
        }
        return text[..end] + Marker;
    }
}
