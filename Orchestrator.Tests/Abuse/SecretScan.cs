using System.Text.RegularExpressions;

namespace Orchestrator.Tests.Abuse;

// Looks for secrets in text the system shows: log lines and API answers. Known values (the admin
// password, the JWT secret) and shapes (any JWT) are searched; add more with Secret() or Shape()
// (node credentials and enrollment tokens, once they exist).
public sealed partial class SecretScan
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Regex> _shapes = new(StringComparer.Ordinal) { ["a JWT"] = Jwt() };
    private readonly List<string> _findings = [];

    public SecretScan Secret(string name, string value)
    {
        _values[name] = value;
        return this;
    }

    public SecretScan Shape(string name, Regex pattern)
    {
        _shapes[name] = pattern;
        return this;
    }

    public IReadOnlyList<string> Findings => _findings;

    public void Scan(string where, string text)
    {
        foreach (var (line, number) in text.Split('\n').Select((l, i) => (l, i + 1)))
        {
            foreach (var (name, value) in _values)
                if (line.Contains(value, StringComparison.Ordinal)) _findings.Add($"{where} line {number}: {name}");
            foreach (var (name, pattern) in _shapes)
                if (pattern.IsMatch(line)) _findings.Add($"{where} line {number}: {name}");
        }
    }

    [GeneratedRegex(@"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{10,}")]
    private static partial Regex Jwt();
}
