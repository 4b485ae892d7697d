using System.Text.RegularExpressions;

namespace Orchestrator.Tests.Deployment;

// A .env file as docker compose and deploy-orchestrator.sh read it: KEY=VALUE lines, # comments, blanks.
// Parse refuses anything else, naming the line, so a malformed example cannot slip through.
public sealed partial record DotenvFile(IReadOnlyDictionary<string, string> Values, IReadOnlySet<string> CommentedKeys)
{
    [GeneratedRegex(@"^(?<key>[A-Za-z_][A-Za-z0-9_]*)=(?<value>.*)$")]
    private static partial Regex Assignment();

    [GeneratedRegex(@"^#\s*(?<key>[A-Z_][A-Z0-9_]*)=")]
    private static partial Regex CommentedAssignment();

    public static DotenvFile Parse(string path)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var commented = new HashSet<string>(StringComparer.Ordinal);
        var number = 0;
        foreach (var line in File.ReadAllLines(path))
        {
            number++;
            if (line.Length == 0) continue;
            if (line.StartsWith('#'))
            {
                if (CommentedAssignment().Match(line) is { Success: true } c) commented.Add(c.Groups["key"].Value);
                continue;
            }
            var match = Assignment().Match(line);
            if (!match.Success) throw new InvalidDataException($"{path}:{number} is not KEY=VALUE: '{line}'");
            var value = match.Groups["value"].Value;
            if (value != value.Trim() || value.Contains(' ')) throw new InvalidDataException($"{path}:{number}: value has spaces: '{line}'");
            if (!values.TryAdd(match.Groups["key"].Value, value)) throw new InvalidDataException($"{path}:{number}: {match.Groups["key"].Value} is set twice");
        }
        return new DotenvFile(values, commented);
    }

    public IReadOnlySet<string> AllKeys => Values.Keys.Concat(CommentedKeys).ToHashSet(StringComparer.Ordinal);
}
