using System.Globalization;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Agents;

// Placed agents and each container's desired state, all in Redis (see RedisKeys and AgentScripts).
public sealed class AgentStore(IConnectionMultiplexer redis, TimeProvider time)
{
    private IDatabase Db => redis.GetDatabase();

    public async Task<PlaceOutcome> PlaceAsync(AgentPlacement placement, IReadOnlyList<PlannedReplica> replicas)
    {
        var keys = new List<RedisKey>(1 + 3 * replicas.Count) { RedisKeys.AgentIds };
        foreach (var r in replicas) keys.AddRange([RedisKeys.Container(r.ContainerId), RedisKeys.DesiredAgents(r.ContainerId), RedisKeys.Agent(r.AgentId)]);
        var args = new PlaceArgs(Now: Format(NowMs()), Type: placement.AgentType, Config: placement.ConfigJson, Policy: placement.Policy,
            Lease: placement.LeaseSeconds?.ToString(CultureInfo.InvariantCulture) ?? "", Deployment: placement.DeploymentId,
            Traceparent: placement.Traceparent ?? "", Constraints: placement.ConstraintsJson,
            Replicas: replicas.Select(r => new PlaceArgs.Replica(r.ContainerId, r.AgentId, r.OrchestratorId, r.AssignmentJson,
                RedisKeys.ContainerChanged(r.ContainerId).ToString(), r.Tenant)).ToList());
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(AgentScripts.Place, [.. keys],
            [PackedArguments.Pack(args, PackedArgumentsJsonContext.Default.PlaceArgs)]))!;
        return (string?)result[0] switch
        {
            "ok" => PlaceOutcome.Placed,
            "full" => PlaceOutcome.ContainerFull,
            _ => PlaceOutcome.ContainerUnavailable,
        };
    }

    public async Task<AgentRecord?> GetAsync(string id) => AgentRecord.From(await Db.HashGetAllAsync(RedisKeys.Agent(id)));

    public async Task<IReadOnlyList<AgentRecord>> ListAsync()
    {
        var db = Db;
        var ids = await db.SetMembersAsync(RedisKeys.AgentIds);
        var reads = ids.Select(id => db.HashGetAllAsync(RedisKeys.Agent(id.ToString()))).ToList();
        var records = new List<AgentRecord>(reads.Count);
        foreach (var read in reads)
        {
            if (AgentRecord.From(await read) is { } record) records.Add(record);
        }
        return records;
    }

    // The script is given the keys of the agent's container, known only after reading the agent: read, then
    // let the script check the agent is still there (optimistic), and retry when a reschedule moved it.
    private const int RemoveAttempts = 8;

    // Returns the container it was assigned to, or null when no such agent exists.
    public async Task<string?> RemoveAsync(string id)
    {
        var db = Db;
        var container = (string?)await db.HashGetAsync(RedisKeys.Agent(id), AgentFields.Container);
        for (var attempt = 1; attempt <= RemoveAttempts && container is not null; attempt++)
        {
            var result = (RedisResult[])(await AgentScripts.Remove.EvaluateAsync(db, new AgentScripts.RemoveArgs(
                Agent: RedisKeys.Agent(id), Agents: RedisKeys.AgentIds, Container: RedisKeys.Container(container),
                Desired: RedisKeys.DesiredAgents(container), AgentId: id, ExpectedContainer: container,
                Channel: RedisKeys.ContainerChanged(container).ToString())))!;
            switch ((string?)result[0])
            {
                case "ok": return container;
                case "missing": return null;
                default: container = (string?)result[1]; break;
            }
        }
        if (container is null) return null;
        throw new InvalidOperationException($"Agent {id} kept moving between containers while it was removed ({RemoveAttempts} tries)");
    }

    // requiredName/requiredVersion: the caller's token claims (null for admin; version null for shared-password tokens).
    public async Task<(AccessOutcome, DesiredState?)> GetDesiredAsync(string containerId, string? requiredName, long since, string? requiredVersion = null)
    {
        var result = (RedisResult[])(await AgentScripts.Desired.EvaluateAsync(Db, new AgentScripts.DesiredArgs(
            Container: RedisKeys.Container(containerId), Desired: RedisKeys.DesiredAgents(containerId),
            RequiredName: requiredName ?? "", Since: since, CredentialVersion: requiredVersion ?? "")))!;
        return (string?)result[0] switch
        {
            "revoked" => (AccessOutcome.Revoked, null),
            "missing" => (AccessOutcome.UnknownContainer, null),
            "forbidden" => (AccessOutcome.WrongContainer, null),
            var generation => (AccessOutcome.Allowed, new DesiredState(
                long.Parse(generation!, CultureInfo.InvariantCulture), result.Skip(1).Select(r => (string)r!).ToList())),
        };
    }

    public async Task<long> GetGenerationAsync(string containerId) =>
        (long?)await Db.HashGetAsync(RedisKeys.Container(containerId), ContainerFields.Generation) ?? 0;

    public async Task<(AccessOutcome, IReadOnlyList<(string AgentId, string Verdict)>)> ReportAsync(
        string containerId, string? requiredName, IReadOnlyList<ReportedAgent> agents, string? requiredVersion = null)
    {
        RedisKey[] keys = [RedisKeys.Container(containerId), .. agents.Select(a => RedisKeys.Agent(a.AgentId ?? ""))];
        var args = new ReportArgs(containerId, requiredName ?? "", requiredVersion ?? "", Format(NowMs()), agents.Select(a => new ReportArgs.Agent(
            a.AgentId ?? "", a.State ?? "", Format(a.Epoch ?? 0), Format(a.Restarts ?? 0), a.Error ?? "",
            a.StartedAt?.ToString("O", CultureInfo.InvariantCulture) ?? "")).ToList());
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(AgentScripts.Report, keys,
            [PackedArguments.Pack(args, PackedArgumentsJsonContext.Default.ReportArgs)]))!;
        if (result.Length == 1 && (string?)result[0] is "missing") return (AccessOutcome.UnknownContainer, []);
        if (result.Length == 1 && (string?)result[0] is "forbidden") return (AccessOutcome.WrongContainer, []);
        if (result.Length == 1 && (string?)result[0] is "revoked") return (AccessOutcome.Revoked, []);
        var verdicts = new List<(string, string)>(result.Length / 2);
        for (var i = 0; i + 1 < result.Length; i += 2) verdicts.Add(((string)result[i]!, (string)result[i + 1]!));
        return (AccessOutcome.Allowed, verdicts);
    }

    public async Task<long> NextSequenceAsync() => await Db.StringIncrementAsync(RedisKeys.SchedulerSequence);

    private long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
