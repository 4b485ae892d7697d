using System.Text;

namespace Orchestrator.Agent.Workloads.Secrets;

// Output that arrives in chunks (a container engine's log stream cuts wherever it likes) made into redacted
// lines: a secret value split across two chunks is whole again before it is matched (buildkite/agent's
// internal/redact does the same on a stream). A line longer than maxLineChars is cut there, holding back the
// last Longest-1 characters, so a value straddling the cut is still matched whole in the next piece.
public sealed class RedactingLineReader(SecretRedactor redactor, int maxLineChars = 8192)
{
    private readonly StringBuilder _pending = new();
    private readonly Decoder _decoder = Encoding.UTF8.GetDecoder();
    // Room for a value held back at a cut plus progress: a cut always gives out something.
    private readonly int _max = Math.Max(maxLineChars, redactor.Longest * 2 + 16);
    private char[] _chars = new char[1024];

    // The complete (redacted) lines this chunk finished; the rest waits for the next chunk.
    public IReadOnlyList<string> Feed(ReadOnlySpan<byte> chunk)
    {
        var needed = _decoder.GetCharCount(chunk, flush: false);
        if (needed > _chars.Length) _chars = new char[Math.Max(needed, _chars.Length * 2)];
        var count = _decoder.GetChars(chunk, _chars, flush: false);
        return Feed(_chars.AsSpan(0, count));
    }

    public IReadOnlyList<string> Feed(ReadOnlySpan<char> text)
    {
        var lines = new List<string>();
        foreach (var c in text)
        {
            if (c == '\n')
            {
                lines.Add(redactor.Redact(Take(_pending.Length).TrimEnd('\r')));
                continue;
            }
            _pending.Append(c);
            if (_pending.Length >= _max) lines.Add(Cut());
        }
        return lines;
    }

    // What is left when the stream ends (a last line without a newline), or null.
    public string? Flush() => _pending.Length == 0 ? null : redactor.Redact(Take(_pending.Length));

    private string Cut()
    {
        // Every value wholly inside is replaced; one that starts in the last Longest-1 characters may continue in
        // the next chunk, so those stay for the next piece.
        var redacted = redactor.Redact(Take(_pending.Length));
        var keep = Math.Min(Math.Max(redactor.Longest - 1, 0), redacted.Length);
        _pending.Append(redacted, redacted.Length - keep, keep);
        return redacted[..^keep];
    }

    private string Take(int length)
    {
        var text = _pending.ToString(0, length);
        _pending.Remove(0, length);
        return text;
    }
}
