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
        var args = new List<RedisValue>
        {
            RedisKeys.ContainerPrefix, RedisKeys.AgentPrefix, RedisKeys.AgentIds.ToString(), NowMs(),
            placement.AgentType, placement.ConfigJson, placement.Policy,
            placement.LeaseSeconds?.ToString(CultureInfo.InvariantCulture) ?? "", placement.DeploymentId,
            placement.Traceparent ?? "", replicas.Count,
        };
        foreach (var r in replicas) args.AddRange([r.ContainerId, r.AgentId, r.OrchestratorId, r.AssignmentJson]);
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(AgentScripts.Place, values: [.. args]))!;
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

    // Returns the container it was assigned to, or null when no such agent exists.
    public async Task<string?> RemoveAsync(string id) =>
        (string?)await Db.ScriptEvaluateAsync(AgentScripts.Remove,
            values: [RedisKeys.ContainerPrefix, RedisKeys.AgentPrefix, RedisKeys.AgentIds.ToString(), id]);

    // requiredName/requiredVersion: the caller's token claims (null for admin; version null for shared-password tokens).
    public async Task<(AccessOutcome, DesiredState?)> GetDesiredAsync(string containerId, string? requiredName, long since, string? requiredVersion = null)
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(AgentScripts.Desired,
            values: [RedisKeys.ContainerPrefix, containerId, requiredName ?? "", since, requiredVersion ?? ""]))!;
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
        var args = new List<RedisValue>
        {
            RedisKeys.ContainerPrefix, RedisKeys.AgentPrefix, containerId, requiredName ?? "", NowMs(), agents.Count, requiredVersion ?? "",
        };
        foreach (var a in agents)
        {
            args.AddRange([a.AgentId, a.State, a.Epoch ?? 0, a.Restarts ?? 0, a.Error ?? "",
                a.StartedAt?.ToString("O", CultureInfo.InvariantCulture) ?? ""]);
        }
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(AgentScripts.Report, values: [.. args]))!;
        if (result.Length == 1 && (string?)result[0] is "missing") return (AccessOutcome.UnknownContainer, []);
        if (result.Length == 1 && (string?)result[0] is "forbidden") return (AccessOutcome.WrongContainer, []);
        if (result.Length == 1 && (string?)result[0] is "revoked") return (AccessOutcome.Revoked, []);
        var verdicts = new List<(string, string)>(result.Length / 2);
        for (var i = 0; i + 1 < result.Length; i += 2) verdicts.Add(((string)result[i]!, (string)result[i + 1]!));
        return (AccessOutcome.Allowed, verdicts);
    }

    public async Task<long> NextSequenceAsync() => await Db.StringIncrementAsync(RedisKeys.SchedulerSequence);

    private long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();
}
