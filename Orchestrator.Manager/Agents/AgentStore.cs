using System.Globalization;
using System.Text.Json;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Agents;

// Placed agents and each container's desired state, all in Redis (see RedisKeys and AgentScripts).
public sealed class AgentStore(IConnectionMultiplexer redis, TimeProvider time, FleetChanges? changes = null)
{
    private IDatabase Db => redis.GetDatabase();

    // Holds count slots on a container for a deploy that spans several containers (AgentScripts.Reserve), and
    // each agent's demand (container agents' cpus and memory_mb) count times.
    public async Task<PlaceOutcome> ReserveAsync(string containerId, string reservationId, int count, string requiredJson, TimeSpan timeout,
        ContainerAgentConfig.Demand demand = default)
    {
        var now = NowMs();
        var expires = now + (long)timeout.TotalMilliseconds;
        long cpu = demand.CpuMillis * count, memory = demand.MemoryMb * count;
        var entry = Format(count) + ":" + Format(expires) + (demand.IsEmpty ? "" : ":" + Format(cpu) + ":" + Format(memory));
        var result = (string?)await AgentScripts.Reserve.EvaluateAsync(Db, new AgentScripts.ReserveArgs(
            Container: RedisKeys.Container(containerId), Reservations: RedisKeys.Reservations(containerId), ReservationId: reservationId,
            Entry: entry, Count: count, Now: now, ExpiresAt: expires, Required: requiredJson, CpuMillis: cpu, MemoryMb: memory));
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
        changes?.Wrote();
        return ToOutcome(result);
    }

    // Lists committed agents (GET /agents); last, so a deploy that failed halfway never shows half its agents.
    // One SADD per shard of the agents index the ids fall in.
    public Task IndexAsync(IReadOnlyList<string> agentIds)
    {
        var db = Db;
        return Task.WhenAll(agentIds.GroupBy(ContainerShards.Of).Select(shard =>
            db.SetAddAsync(RedisKeys.AgentIds(shard.Key), shard.Select(id => (RedisValue)id).ToArray())));
    }

    // The hashes of agents no container took (a deploy that failed after WriteAgentsAsync).
    public Task DiscardAsync(IReadOnlyList<string> agentIds) =>
        Task.WhenAll(agentIds.Select(id => Db.KeyDeleteAsync(RedisKeys.Agent(id))));

    private static PlaceOutcome ToOutcome(string? result) => result switch
    {
        "ok" => PlaceOutcome.Placed,
        "full" => PlaceOutcome.ContainerFull,
        "unsupported" => PlaceOutcome.ContainerUnsupported,
        "cpus" => PlaceOutcome.ContainerNoCpus,
        "memory_mb" => PlaceOutcome.ContainerNoMemory,
        _ => PlaceOutcome.ContainerUnavailable,
    };

    public async Task<AgentRecord?> GetAsync(string id) => (await ReadAsync([id])).FirstOrDefault();

    public async Task<IReadOnlyList<AgentRecord>> ListAsync()
    {
        var db = Db;
        var reads = ContainerShards.All.Select(shard => db.SetMembersAsync(RedisKeys.AgentIds(shard))).ToList();
        var ids = new List<string>();
        foreach (var read in reads) ids.AddRange((await read).Select(id => id.ToString()));
        return await ReadAsync(ids);
    }

    // One page of the agents index by SSCAN, shard after shard, cost bounded by the page: SSCAN until at least
    // `limit` ids (or the end). The cursor is ShardCursor's, as for containers; "0" back means the last page was read.
    public async Task<(IReadOnlyList<AgentRecord> Page, string Cursor)> ListPageAsync(string cursor, int limit)
    {
        var (shard, scanCursor) = ShardCursor.Parse(cursor);
        var ids = new List<string>(limit);
        while (shard < ContainerShards.Count && ids.Count < limit)
        {
            var scan = (RedisResult[])(await Db.ExecuteAsync("SSCAN", RedisKeys.AgentIds(shard), scanCursor.ToString(CultureInfo.InvariantCulture),
                "COUNT", limit - ids.Count))!;
            ids.AddRange(((RedisResult[])scan[1]!).Select(id => (string)id!));
            scanCursor = ulong.Parse((string)scan[0]!, CultureInfo.InvariantCulture);
            if (scanCursor == 0) shard++;
        }
        return (await ReadAsync(ids), ShardCursor.Format(shard, scanCursor));
    }

    // The agents in one container's desired set: a container's listing never reads the other agents.
    public async Task<IReadOnlyList<AgentRecord>> ListOnContainerAsync(string containerId) =>
        await ReadAsync((await Db.HashKeysAsync(RedisKeys.DesiredAgents(containerId))).Select(id => id.ToString()).ToList());

    // What each agent's container holds for it now, by agent id (one pipelined batch): desired_state and force live
    // only there (SetDesiredStateAsync writes the entry, not the agent's hash), so a rollout that updates an agent an
    // operator stopped keeps it stopped. An agent its container does not hold (moving, removed) is left out.
    public async Task<IReadOnlyDictionary<string, Assignment>> DesiredEntriesAsync(IReadOnlyList<AgentRecord> records)
    {
        var db = Db;
        var reads = records.Select(r => db.HashGetAsync(RedisKeys.DesiredAgents(r.ContainerId), r.Id)).ToList();
        var entries = new Dictionary<string, Assignment>(StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            if ((string?)await reads[i] is { } json && JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.Assignment) is { } entry)
                entries[records[i].Id] = entry;
        }
        return entries;
    }

    // Each agent's hash, then what its container holds of its last report (two pipelined batches), merged into one record.
    private async Task<IReadOnlyList<AgentRecord>> ReadAsync(IReadOnlyList<string> ids)
    {
        var db = Db;
        var reads = ids.Select(id => db.HashGetAllAsync(RedisKeys.Agent(id))).ToList();
        var records = new List<AgentRecord>(reads.Count);
        foreach (var read in reads)
        {
            if (AgentRecord.From(await read) is { } record) records.Add(record);
        }
        var reports = records.Select(r => db.HashGetAsync(RedisKeys.Reports(r.ContainerId), r.Id)).ToList();
        for (var i = 0; i < records.Count; i++)
        {
            if ((string?)await reports[i] is { } json) records[i] = records[i].WithReport(json);
        }
        return records;
    }

    // Removing an agent: take it off its container (one slot), then delete its hash and index entry (its own
    // slot). The container is read from the agent's hash; a reschedule may change it in between, so the
    // container step says when the agent is not (or no longer) there and the hash is read again.
    private const int RemoveAttempts = 8;

    // Returns the container it was assigned to, or null when no such agent exists.
    public async Task<string?> RemoveAsync(string id)
    {
        var db = Db;
        var container = (string?)await db.HashGetAsync(RedisKeys.Agent(id), AgentFields.Container);
        for (var attempt = 1; attempt <= RemoveAttempts && container is not null; attempt++)
        {
            var result = await RemoveFromContainerAsync(container, id);
            if (result == "moving")
            {
                // A reschedule is between its steps: it finishes within milliseconds (or its leftover is finished by the next pass).
                await Task.Delay(TimeSpan.FromMilliseconds(50 * attempt), time);
                container = (string?)await db.HashGetAsync(RedisKeys.Agent(id), AgentFields.Container);
                continue;
            }
            if (result == "absent")
            {
                var now = (string?)await db.HashGetAsync(RedisKeys.Agent(id), AgentFields.Container);
                if (now is not null && now != container) { container = now; continue; }
            }
            // Taken off its container (or it was on none: a deploy's leftover); the hash goes last.
            await Task.WhenAll(db.KeyDeleteAsync(RedisKeys.Agent(id)), db.SetRemoveAsync(RedisKeys.AgentIdsOf(id), id));
            return container;
        }
        if (container is null) return null;
        throw new InvalidOperationException($"Agent {id} kept moving between containers while it was removed ({RemoveAttempts} tries)");
    }

    // AgentScripts.Remove on one container: 'ok', 'moving' or 'absent'.
    public async Task<string?> RemoveFromContainerAsync(string containerId, string agentId)
    {
        var result = (string?)await AgentScripts.Remove.EvaluateAsync(Db, new AgentScripts.RemoveArgs(
            Container: RedisKeys.Container(containerId), Desired: RedisKeys.DesiredAgents(containerId), Reports: RedisKeys.Reports(containerId),
            Outgoing: RedisKeys.Outgoing(containerId), AgentId: agentId, Channel: RedisKeys.ContainerChanged(containerId).ToString()));
        changes?.Wrote();
        return result;
    }

    // Gives a placed agent its next assignment in place (AgentScripts.Respec, then its hash): next must carry
    // expectedEpoch + 1. False when the agent is gone or its epoch moved on meanwhile (the caller reads it again).
    public async Task<bool> RespecAsync(AgentRecord agent, Assignment next)
    {
        var json = JsonSerializer.Serialize(next, ProtocolJsonContext.Default.Assignment);
        var result = (string?)await AgentScripts.Respec.EvaluateAsync(Db, new AgentScripts.RespecArgs(
            Container: RedisKeys.Container(agent.ContainerId), Desired: RedisKeys.DesiredAgents(agent.ContainerId),
            Reports: RedisKeys.Reports(agent.ContainerId), AgentId: agent.Id, ExpectedEpoch: next.Epoch - 1, Assignment: json,
            Channel: RedisKeys.ContainerChanged(agent.ContainerId).ToString()));
        changes?.Wrote();
        if (result != "ok") return false;
        await AgentScripts.RespecAgent.EvaluateAsync(Db, new AgentScripts.RespecAgentArgs(RedisKeys.Agent(agent.Id), next.AgentType,
            next.AgentConfig.GetRawText(), next.Epoch, json));
        return true;
    }

    // Whether any of these agents still exists (one EXISTS after another, so usually one call).
    public async Task<bool> AnyExistsAsync(IEnumerable<string> ids)
    {
        foreach (var id in ids)
            if (await Db.KeyExistsAsync(RedisKeys.Agent(id))) return true;
        return false;
    }

    // Several agents by id (with their last reports); ids of removed agents are left out.
    public Task<IReadOnlyList<AgentRecord>> GetManyAsync(IReadOnlyList<string> ids) => ReadAsync(ids);

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
        RedisKey[] keys = [RedisKeys.Container(containerId), RedisKeys.DesiredAgents(containerId), RedisKeys.Reports(containerId)];
        var args = new ReportArgs(containerId, requiredName ?? "", requiredVersion ?? "", Format(NowMs()), agents.Select(a => new ReportArgs.Agent(
            a.AgentId ?? "", a.State ?? "", Format(a.Epoch ?? 0), Format(a.Restarts ?? 0), a.Error ?? "",
            a.StartedAt?.ToString("O", CultureInfo.InvariantCulture) ?? "", a.ImageDigest ?? "",
            a.LockWaitedSeconds is { } waited ? Format(waited) : "")).ToList());
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(AgentScripts.Report, keys,
            [PackedArguments.Pack(args, PackedArgumentsJsonContext.Default.ReportArgs)]))!;
        changes?.Wrote(); // running_agents
        if (result.Length == 1 && (string?)result[0] is "missing") return (AccessOutcome.UnknownContainer, []);
        if (result.Length == 1 && (string?)result[0] is "forbidden") return (AccessOutcome.WrongContainer, []);
        if (result.Length == 1 && (string?)result[0] is "revoked") return (AccessOutcome.Revoked, []);
        var verdicts = new List<(string, string)>(result.Length / 2);
        for (var i = 0; i + 1 < result.Length; i += 2) verdicts.Add(((string)result[i]!, (string)result[i + 1]!));
        return (AccessOutcome.Allowed, verdicts);
    }

    // One container's desired entries as assignments (the drain reads what it may move).
    public async Task<IReadOnlyList<Assignment>> DesiredOnContainerAsync(string containerId) =>
        (await Db.HashValuesAsync(RedisKeys.DesiredAgents(containerId)))
        .Select(v => System.Text.Json.JsonSerializer.Deserialize(v.ToString(), ProtocolJsonContext.Default.Assignment))
        .OfType<Assignment>().ToList();

    // What each agent on a container last reported (agent id -> state), from its reports hash.
    public async Task<IReadOnlyDictionary<string, string>> ReportedStatesAsync(string containerId)
    {
        var states = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in await Db.HashGetAllAsync(RedisKeys.Reports(containerId)))
        {
            using var report = System.Text.Json.JsonDocument.Parse(entry.Value.ToString());
            if (report.RootElement.TryGetProperty("reported_state", out var state) && state.GetString() is { } s) states[entry.Name.ToString()] = s;
        }
        return states;
    }

    // Sets what the node does with an agent (desired_state: null running, "stopped"; force: skip its update lock) in
    // its container's desired entry, epoch and spec unchanged. Retried when the entry changed in between (a report
    // never writes it; a move or delete does, and then the agent is not here: false).
    public async Task<bool> SetDesiredStateAsync(string containerId, string agentId, string? desiredState, bool force)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var current = (string?)await Db.HashGetAsync(RedisKeys.DesiredAgents(containerId), agentId);
            if (current is null || System.Text.Json.JsonSerializer.Deserialize(current, ProtocolJsonContext.Default.Assignment) is not { } assignment) return false;
            var next = assignment with { DesiredState = desiredState, Force = force ? true : null };
            if (next == assignment) return true;
            var result = (string?)await AgentScripts.SetEntry.EvaluateAsync(Db, new AgentScripts.SetEntryArgs(
                Container: RedisKeys.Container(containerId), Desired: RedisKeys.DesiredAgents(containerId), AgentId: agentId, Expected: current,
                Next: System.Text.Json.JsonSerializer.Serialize(next, ProtocolJsonContext.Default.Assignment),
                Channel: RedisKeys.ContainerChanged(containerId).ToString()));
            changes?.Wrote();
            if (result == "ok") return true;
        }
        return false;
    }

    public async Task<long> NextSequenceAsync() => await Db.StringIncrementAsync(RedisKeys.SchedulerSequence);

    private long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    private static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
