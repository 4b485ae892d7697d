using System.Globalization;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Agents;

// Placed agents and each container's desired state, all in Redis (see RedisKeys and AgentScripts).
public sealed class AgentStore(IConnectionMultiplexer redis, TimeProvider time)
{
    private IDatabase Db => redis.GetDatabase();

    // Holds count slots on a container for a deploy that spans several containers (AgentScripts.Reserve).
    public async Task<PlaceOutcome> ReserveAsync(string containerId, string reservationId, int count, string requiredJson, TimeSpan timeout)
    {
        var now = NowMs();
        var expires = now + (long)timeout.TotalMilliseconds;
        var result = (string?)await AgentScripts.Reserve.EvaluateAsync(Db, new AgentScripts.ReserveArgs(
            Container: RedisKeys.Container(containerId), Reservations: RedisKeys.Reservations(containerId), ReservationId: reservationId,
            Entry: Format(count) + ":" + Format(expires), Count: count, Now: now, ExpiresAt: expires, Required: requiredJson));
        return ToOutcome(result);
    }

    public Task ReleaseAsync(string containerId, string reservationId) =>
        Db.HashDeleteAsync(RedisKeys.Reservations(containerId), reservationId);

    // The agents' own hashes, written before any container's desired set names them, so an orchestrator that
    // starts an agent always finds its record when it reports. Not yet in the agents index (IndexAsync).
    public async Task WriteAgentsAsync(AgentPlacement placement, IReadOnlyList<PlannedReplica> replicas)
    {
        var db = Db;
        var now = Format(NowMs());
        var lease = placement.LeaseSeconds?.ToString(CultureInfo.InvariantCulture) ?? "";
        await Task.WhenAll(replicas.Select(r => db.HashSetAsync(RedisKeys.Agent(r.AgentId),
        [
            new(AgentFields.Id, r.AgentId), new(AgentFields.Type, placement.AgentType), new(AgentFields.Config, placement.ConfigJson),
            new(AgentFields.Container, r.ContainerId), new(AgentFields.Orchestrator, r.OrchestratorId), new(AgentFields.Epoch, "1"),
            new(AgentFields.Policy, placement.Policy), new(AgentFields.Lease, lease), new(AgentFields.Deployment, placement.DeploymentId),
            new(AgentFields.CreatedAt, now), new(AgentFields.Traceparent, placement.Traceparent ?? ""),
            new(AgentFields.Assignment, r.AssignmentJson), new(AgentFields.Tenant, r.Tenant),
            new(AgentFields.Constraints, placement.ConstraintsJson),
        ])));
    }

    // Puts one container's share of a deploy into its desired set (AgentScripts.Commit). reservationId: '' = none held.
    public async Task<PlaceOutcome> CommitAsync(string containerId, string reservationId, IReadOnlyList<PlannedReplica> replicas,
        IReadOnlyList<string> required)
    {
        var args = new CommitArgs(reservationId, Format(NowMs()), RedisKeys.ContainerChanged(containerId).ToString(), required,
            replicas.Select(r => new CommitArgs.Entry(r.AgentId, r.AssignmentJson)).ToList());
        var result = (string?)await Db.ScriptEvaluateAsync(AgentScripts.Commit,
            [RedisKeys.Container(containerId), RedisKeys.Reservations(containerId), RedisKeys.DesiredAgents(containerId)],
            [PackedArguments.Pack(args, PackedArgumentsJsonContext.Default.CommitArgs)]);
        return ToOutcome(result);
    }

    // Lists committed agents (GET /agents); last, so a deploy that failed halfway never shows half its agents.
    public Task IndexAsync(IReadOnlyList<string> agentIds) =>
        Db.SetAddAsync(RedisKeys.AgentIds, agentIds.Select(id => (RedisValue)id).ToArray());

    // The hashes of agents no container took (a deploy that failed after WriteAgentsAsync).
    public Task DiscardAsync(IReadOnlyList<string> agentIds) =>
        Task.WhenAll(agentIds.Select(id => Db.KeyDeleteAsync(RedisKeys.Agent(id))));

    private static PlaceOutcome ToOutcome(string? result) => result switch
    {
        "ok" => PlaceOutcome.Placed,
        "full" => PlaceOutcome.ContainerFull,
        "unsupported" => PlaceOutcome.ContainerUnsupported,
        _ => PlaceOutcome.ContainerUnavailable,
    };

    public async Task<AgentRecord?> GetAsync(string id) => AgentRecord.From(await Db.HashGetAllAsync(RedisKeys.Agent(id)));

    public async Task<IReadOnlyList<AgentRecord>> ListAsync() =>
        await ReadAsync((await Db.SetMembersAsync(RedisKeys.AgentIds)).Select(id => id.ToString()).ToList());

    // One page of the agents index by SSCAN, cost bounded by the page: SSCAN until at least `limit` ids (or the end).
    // Cursor "0" back means the last page was read.
    public async Task<(IReadOnlyList<AgentRecord> Page, string Cursor)> ListPageAsync(string cursor, int limit)
    {
        var ids = new List<string>(limit);
        do
        {
            var scan = (RedisResult[])(await Db.ExecuteAsync("SSCAN", RedisKeys.AgentIds, cursor, "COUNT", limit - ids.Count))!;
            cursor = (string)scan[0]!;
            ids.AddRange(((RedisResult[])scan[1]!).Select(id => (string)id!));
        }
        while (ids.Count < limit && cursor != "0");
        return (await ReadAsync(ids), cursor);
    }

    // The agents in one container's desired set: a container's listing never reads the other agents.
    public async Task<IReadOnlyList<AgentRecord>> ListOnContainerAsync(string containerId) =>
        await ReadAsync((await Db.HashKeysAsync(RedisKeys.DesiredAgents(containerId))).Select(id => id.ToString()).ToList());

    private async Task<IReadOnlyList<AgentRecord>> ReadAsync(IReadOnlyList<string> ids)
    {
        var db = Db;
        var reads = ids.Select(id => db.HashGetAllAsync(RedisKeys.Agent(id))).ToList();
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
