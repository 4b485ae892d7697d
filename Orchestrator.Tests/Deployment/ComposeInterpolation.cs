using System.Text;
using System.Text.RegularExpressions;

namespace Orchestrator.Tests.Deployment;

// Docker compose's variable interpolation: $VAR, ${VAR}, ${VAR:-default}, ${VAR-default},
// ${VAR:?error}, ${VAR?error} and $$ for a literal dollar. Enough to evaluate our compose files
// the way `docker compose` does, and to list the variables they read.
public static partial class ComposeInterpolation
{
    [GeneratedRegex(@"\$\$|\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:?[-?])(?<arg>[^}]*))?\}|\$(?<bare>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Reference();

    public static string Evaluate(string text, IReadOnlyDictionary<string, string> variables) =>
        Reference().Replace(text, match =>
        {
            if (match.Value == "$$") return "$";
            var name = match.Groups["bare"].Success ? match.Groups["bare"].Value : match.Groups["name"].Value;
            var set = variables.TryGetValue(name, out var value);
            var op = match.Groups["op"].Value;
            var arg = match.Groups["arg"].Value;
            var missing = op.StartsWith(':') ? !set || value!.Length == 0 : !set;
            return op.TrimStart(':') switch
            {
                "-" => missing ? Evaluate(arg, variables) : value!,
                "?" when missing => throw new InvalidOperationException($"required variable {name} is missing: {arg}"),
                _ => value ?? "",
            };
        });

    public static IReadOnlySet<string> Variables(string text)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match match in Reference().Matches(text))
        {
            if (match.Value == "$$") continue;
            names.Add(match.Groups["bare"].Success ? match.Groups["bare"].Value : match.Groups["name"].Value);
            if (match.Groups["arg"].Success) names.UnionWith(Variables(match.Groups["arg"].Value));
        }
        return names;
    }

    // The variables a compose file cannot do without: ${VAR:?...} or ${VAR?...}.
    public static IReadOnlySet<string> RequiredVariables(string text) =>
        new SortedSet<string>(Reference().Matches(text)
            .Where(m => m.Groups["op"].Value.EndsWith('?'))
            .Select(m => m.Groups["name"].Value), StringComparer.Ordinal);

    // Comment lines hold no references for compose; strip them so commented examples are not counted.
    public static string WithoutComments(string yaml)
    {
        var builder = new StringBuilder();
        foreach (var line in yaml.Split('\n'))
        {
            if (line.TrimStart().StartsWith('#')) continue;
            builder.Append(line).Append('\n');
        }
        return builder.ToString();
    }
}
