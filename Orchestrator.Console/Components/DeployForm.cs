using System.Globalization;
using System.Text.Json;
using Orchestrator.Protocol;

namespace Orchestrator.Console.Components;

// The deploy form's fields as typed, turned into the manager's DeployRequest. Only what cannot be sent at
// all (config that is not JSON, replicas that are not a number, a label without '=') is refused here, under
// the wire field's name; everything else the manager judges, and its 400 names the same fields.
public sealed class DeployForm
{
    public string? Type { get; set; } = "trading_agent";
    public string? Config { get; set; } = """{"strategy":"momentum","tick_interval_ms":500}""";
    public string? Strategy { get; set; }
    public string? Replicas { get; set; } = "1";
    public string? Tenant { get; set; }
    public string? Capabilities { get; set; }
    public string? Labels { get; set; }
    public string? OnClusterLoss { get; set; }

    public (DeployRequest? Request, IReadOnlyDictionary<string, string[]> Errors) ToRequest()
    {
        var errors = new Dictionary<string, string[]>();
        JsonElement? config = null;
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(Config) ? "{}" : Config);
            config = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            errors["agent_config"] = [$"agent_config is not valid JSON: {ex.Message}"];
        }
        int? replicas = null;
        if (!string.IsNullOrWhiteSpace(Replicas))
        {
            if (int.TryParse(Replicas, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)) replicas = n;
            else errors["replicas"] = ["replicas must be a whole number."];
        }
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in Split(Labels))
        {
            var equals = pair.IndexOf('=');
            if (equals <= 0) errors["constraints.labels"] = [$"'{pair}' is not key=value."];
            else labels[pair[..equals]] = pair[(equals + 1)..];
        }
        if (errors.Count > 0) return (null, errors);

        var capabilities = Split(Capabilities);
        DeployConstraints? constraints = capabilities.Count > 0 || labels.Count > 0 || !string.IsNullOrWhiteSpace(Tenant)
            ? new DeployConstraints(capabilities.Count > 0 ? capabilities : null,
                new JsonElementBox(Tenant).Value,
                labels.Count > 0 ? labels : null)
            : null;
        return (new DeployRequest(Empty(Type), config, Empty(Strategy), replicas, constraints, Empty(OnClusterLoss)), errors);
    }

    private static string? Empty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static List<string> Split(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
