using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace Orchestrator.Manager.Agents;

// An agent hash as stored; ToView adds what only the container's status can tell (lost -> unknown).
public sealed record AgentRecord(IReadOnlyDictionary<string, string> Fields)
{
    public string Id => Field(AgentFields.Id);
    public string Type => Field(AgentFields.Type);
    public string ContainerId => Field(AgentFields.Container);
    public string OrchestratorId => Field(AgentFields.Orchestrator);
    public string Policy => Field(AgentFields.Policy);
    public string? ReportedState => NullIfEmpty(Field(AgentFields.ReportedState));
    public long Epoch => Long(AgentFields.Epoch);
    public int ReportedRestarts => (int)Long(AgentFields.Restarts);

    // The assignment its container holds for it (as placed, rescheduled, updated or restarted).
    public Assignment? Assignment => Field(AgentFields.Assignment) is { Length: > 0 } json
        ? JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.Assignment) : null;

    // The deployment revision its spec is (issue 25): 1 for agents placed before revisions existed.
    public long Revision => Assignment?.Revision ?? 1;

    public static AgentRecord? From(HashEntry[] entries) => entries.Length == 0
        ? null
        : new AgentRecord(entries.ToDictionary(e => e.Name.ToString(), e => e.Value.ToString()));

    public AgentView ToView(string? containerStatus) => new(
        AgentId: Id,
        AgentType: Type,
        AgentConfig: JsonDocument.Parse(Field(AgentFields.Config) is { Length: > 0 } c ? c : "{}").RootElement.Clone(),
        ContainerId: ContainerId,
        OrchestratorId: OrchestratorId,
        State: containerStatus is "lost" or null ? AgentStates.Unknown : ReportedState ?? AgentStates.Assigned,
        ReportedState: ReportedState,
        Epoch: Epoch,
        OnClusterLoss: Policy,
        LeaseSeconds: int.TryParse(Field(AgentFields.Lease), out var lease) ? lease : null,
        DeploymentId: Field(AgentFields.Deployment),
        CreatedAt: DateTimeOffset.FromUnixTimeMilliseconds(Long(AgentFields.CreatedAt)),
        ReportedAt: Long(AgentFields.ReportedAt) is > 0 and var at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null,
        StartedAt: DateTimeOffset.TryParse(Field(AgentFields.StartedAt), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var s) ? s : null,
        Restarts: (int)Long(AgentFields.Restarts),
        Error: NullIfEmpty(Field(AgentFields.Error)),
        ImageDigest: NullIfEmpty(Field(AgentFields.ImageDigest)),
        LockWaitedSeconds: ReportedState == AgentStates.BlockedByLock && int.TryParse(Field(AgentFields.LockWaitedSeconds), CultureInfo.InvariantCulture, out var waited)
            ? waited : null);

    // The agent's last report as its container keeps it (a JSON object of reported_* fields, see RedisKeys.Reports).
    public AgentRecord WithReport(string json)
    {
        var fields = new Dictionary<string, string>(Fields);
        using var document = JsonDocument.Parse(json);
        foreach (var property in document.RootElement.EnumerateObject())
            fields[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
        return new AgentRecord(fields);
    }

    private string Field(string name) => Fields.TryGetValue(name, out var value) ? value : "";

    private long Long(string name) => long.TryParse(Field(name), CultureInfo.InvariantCulture, out var v) ? v : 0;

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;
}
