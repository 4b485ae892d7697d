namespace Orchestrator.Agent.Workloads.Secrets;

// Replaces every secret value known for an agent with [redacted] in what the node keeps of its output (as
// buildkite/agent's internal/redact). Output is kept line by line, so a value that spans lines (a PEM key) is
// also matched line by line: each of its lines long enough to be a secret's own text is redacted where it appears.
public sealed class SecretRedactor
{
    public const string Marker = "[redacted]";

    // Shorter pieces (a PEM's "-----" fences, an empty line) would redact ordinary text.
    private const int MinimumPiece = 6;

    private readonly string[] _needles;

    public SecretRedactor(IEnumerable<string> values) =>
        _needles = values.SelectMany(v => v.Split('\n').Select(l => l.TrimEnd('\r')).Append(v))
            .Where(v => v.Length >= MinimumPiece && !v.StartsWith("-----", StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal).OrderByDescending(v => v.Length).ToArray();

    public static SecretRedactor None { get; } = new([]);

    // The longest text it replaces: what a stream must hold back at a forced cut so no value is split unredacted.
    public int Longest => _needles.Length == 0 ? 0 : _needles[0].Length;

    public string Redact(string line)
    {
        foreach (var needle in _needles)
        {
            if (line.Contains(needle, StringComparison.Ordinal)) line = line.Replace(needle, Marker, StringComparison.Ordinal);
        }
        return line;
    }
}
