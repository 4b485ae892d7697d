using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;
using Orchestrator.Manager.Redis;

namespace Orchestrator.Manager.Containers;

// The container registry. Stateless: every call reads or writes Redis (see RedisKeys for the layout).
public sealed class ContainerStore(IConnectionMultiplexer redis, TimeProvider time, FleetChanges? changes = null)
{
    private IDatabase Db => redis.GetDatabase();

    // A script can only touch keys it is given, and which container hash a name means is known only
    // after reading by-name: read it, then let the script check it still holds (optimistic), and retry
    // with what changed. Two tries unless registrations of one name race. The name's shard holds its
    // by-name entry, and a new container's id is drawn in that shard, so the script runs in one slot.
    private const int RegisterAttempts = 8;

    // requiredId/requiredVersion: an enrolled node's token claims; null for admin and shared-password tokens.
    public async Task<RegistrationResult> RegisterAsync(ContainerRegistration registration, string? requiredId = null, string? requiredVersion = null)
    {
        var db = Db;
        var capabilities = JsonSerializer.Serialize(registration.Capabilities, ProtocolJsonContext.Default.IReadOnlyListString);
        var shard = ContainerShards.Of(registration.Name);
        var known = (string?)await db.HashGetAsync(RedisKeys.ContainerNames(shard), registration.Name);
        for (var attempt = 1; attempt <= RegisterAttempts; attempt++)
        {
            var id = requiredId ?? known ?? ContainerShards.NewIdFor(registration.Name);
            var result = (RedisResult[])(await ContainerScripts.Register.EvaluateAsync(db, new ContainerScripts.RegisterArgs(
                Names: RedisKeys.ContainerNames(shard), Ids: RedisKeys.ContainerIds(ContainerShards.Of(id)),
                Index: RedisKeys.HeartbeatIndex(ContainerShards.Of(id)), Totals: RedisKeys.ContainerTotals(ContainerShards.Of(id)),
                Container: RedisKeys.Container(id),
                Name: registration.Name, Id: id, Expected: known ?? "", Now: NowMs(), Host: registration.Host, Port: registration.Port,
                Capabilities: capabilities, Resources: registration.ResourcesJson, Metadata: registration.MetadataJson,
                MaxAgents: registration.MaxAgents, RequiredId: requiredId ?? "", CredentialVersion: requiredVersion ?? "")))!;
            if (result.Length == 1) return new RegistrationResult("", false, Revoked: true);
            if ((string?)result[0] != "retry")
            {
                changes?.Wrote();
                return new RegistrationResult((string)result[0]!, (int)result[1] == 1);
            }
            known = (string?)result[1] is { Length: > 0 } current ? current : null;
        }
        throw new InvalidOperationException(
            $"Registration of '{registration.Name}' raced other registrations of that name {RegisterAttempts} times in a row");
    }

    // requiredName: a cluster token's container_name; null for admin tokens. requiredVersion: an enrolled
    // node's credential version; null for admin and shared-password tokens.
    public async Task<HeartbeatResult> HeartbeatAsync(string id, HeartbeatReport report, string? requiredName, string? requiredVersion = null)
    {
        var before = (string?)await ContainerScripts.Heartbeat.EvaluateAsync(Db, new ContainerScripts.HeartbeatArgs(
            Container: RedisKeys.Container(id), Index: RedisKeys.HeartbeatIndex(ContainerShards.Of(id)),
            Totals: RedisKeys.ContainerTotals(ContainerShards.Of(id)), Id: id, Now: NowMs(), HealthScore: report.HealthScore, ActiveAgents: report.ActiveAgents, Usage: report.UsageJson,
            Agents: report.AgentsJson ?? "", RequiredName: requiredName ?? "",
            RoundTripMs: report.RoundTripMs is { } rtt ? Format(rtt) : "", Failures: report.Failures ?? -1, CredentialVersion: requiredVersion ?? "",
            NodeVersion: report.NodeVersion ?? "", ProtocolVersion: report.ProtocolVersion?.ToString(CultureInfo.InvariantCulture) ?? ""));
        if (before is not ("revoked" or "missing" or "forbidden" or ContainerStatus.Healthy)) changes?.Wrote(); // back to healthy
        return before switch
        {
            "revoked" => new(HeartbeatOutcome.Revoked),
            "missing" => new(HeartbeatOutcome.UnknownContainer),
            "forbidden" => new(HeartbeatOutcome.WrongContainer),
            _ => new(HeartbeatOutcome.Accepted, before),
        };
    }

    public async Task<ContainerView?> GetAsync(string id)
    {
        var entries = await Db.HashGetAllAsync(RedisKeys.Container(id));
        return ContainerRecord.ToView(entries);
    }

    public async Task<string?> FindIdByNameAsync(string name) =>
        await Db.HashGetAsync(RedisKeys.ContainerNames(ContainerShards.Of(name)), name);

    public async Task<IReadOnlyList<ContainerView>> ListAsync(string? status = null) =>
        await ReadAsync(await AllIdsAsync(), status);

    // The status of each given container (absent: gone), one pipelined HGET each.
    public async Task<IReadOnlyDictionary<string, string>> StatusesAsync(IEnumerable<string> ids)
    {
        var db = Db;
        var reads = ids.Distinct(StringComparer.Ordinal).Select(id => (id, db.HashGetAsync(RedisKeys.Container(id), ContainerFields.Status))).ToList();
        var statuses = new Dictionary<string, string>(reads.Count, StringComparer.Ordinal);
        foreach (var (id, read) in reads)
        {
            if ((string?)await read is { } status) statuses[id] = status;
        }
        return statuses;
    }

    // At most this many containers per ReadFields call, so one call never holds Redis for long.
    private const int ReadBatch = 200;

    // The given fields of each container, in the order given (all null for a container that is gone): one
    // ReadFields script per shard batch, all pipelined.
    public async Task<IReadOnlyList<RedisValue[]>> ReadFieldsAsync(IReadOnlyList<string> ids, RedisValue[] fields)
    {
        var db = Db;
        var batches = new List<(List<int> Positions, Task<RedisResult> Read)>();
        foreach (var shard in Enumerable.Range(0, ids.Count).GroupBy(i => ContainerShards.Of(ids[i])))
        {
            foreach (var chunk in shard.Chunk(ReadBatch))
            {
                var keys = chunk.Select(i => RedisKeys.Container(ids[i])).ToArray();
                batches.Add((chunk.ToList(), db.ScriptEvaluateAsync(ContainerScripts.ReadFields, keys, fields)));
            }
        }
        var values = new RedisValue[ids.Count][];
        foreach (var (positions, read) in batches)
        {
            var rows = (RedisResult[])(await read)!;
            for (var j = 0; j < positions.Count; j++) values[positions[j]] = (RedisValue[])rows[j]!;
        }
        return values;
    }

    // Every container id, read from every shard in one pipelined batch. Placement and rescheduling read their
    // candidates through ListAsync, hence through here: the one seam to replace with a candidate index.
    public async Task<IReadOnlyList<string>> AllIdsAsync()
    {
        var db = Db;
        var reads = ContainerShards.All.Select(shard => db.SetMembersAsync(RedisKeys.ContainerIds(shard))).ToList();
        var ids = new List<string>();
        foreach (var read in reads) ids.AddRange((await read).Select(id => id.ToString()));
        return ids;
    }

    // One page of the registry by SSCAN, shard after shard: cost bounded by the page, not the fleet. The
    // page size is SSCAN's hint, so a page may hold a few more or fewer; cursor "0" means the last page was
    // read. The cursor carries the shard in its low byte and that shard's SSCAN cursor above it (see Cursor).
    public async Task<(IReadOnlyList<ContainerView> Page, string Cursor)> ListPageAsync(string cursor, int limit, string? status)
    {
        var (shard, scanCursor) = ShardCursor.Parse(cursor);
        var ids = new List<string>();
        while (shard < ContainerShards.Count && ids.Count < limit)
        {
            var scan = (RedisResult[])(await Db.ExecuteAsync("SSCAN", RedisKeys.ContainerIds(shard), scanCursor.ToString(CultureInfo.InvariantCulture),
                "COUNT", limit - ids.Count))!;
            ids.AddRange(((RedisResult[])scan[1]!).Select(id => (string)id!));
            scanCursor = ulong.Parse((string)scan[0]!, CultureInfo.InvariantCulture);
            if (scanCursor == 0) shard++;
        }
        return (await ReadAsync(ids, status), ShardCursor.Format(shard, scanCursor));
    }

    // One pipelined batch of HGETALLs, not one round trip per container; sorted by name.
    private async Task<IReadOnlyList<ContainerView>> ReadAsync(IEnumerable<string> ids, string? status)
    {
        var db = Db;
        var reads = ids.Select(id => db.HashGetAllAsync(RedisKeys.Container(id))).ToList();
        var views = new List<ContainerView>(reads.Count);
        foreach (var read in reads)
        {
            if (ContainerRecord.ToView(await read) is { } view && (status is null || view.Status == status)) views.Add(view);
        }
        return views.OrderBy(v => v.ContainerName, StringComparer.Ordinal).ToList();
    }

    // Cordon or uncordon. Only an existing container's hash is written (a deleted one is not brought back as a
    // husk); false when it does not exist. Placement sees it at its next snapshot read, the scripts at once.
    public async Task<bool> SetEligibilityAsync(string id, bool eligible, string? reason)
    {
        var transaction = Db.CreateTransaction();
        transaction.AddCondition(Condition.KeyExists(RedisKeys.Container(id)));
        _ = transaction.HashSetAsync(RedisKeys.Container(id),
        [
            new HashEntry(ContainerFields.Eligibility, eligible ? ContainerEligibility.Eligible : ContainerEligibility.Ineligible),
            new HashEntry(ContainerFields.EligibilityReason, reason ?? ""),
        ]);
        var written = await transaction.ExecuteAsync();
        if (written) changes?.Wrote();
        return written;
    }

    // issue 27: what the node registered with; both fields are written every registration, blank when not sent,
    // so a node downgraded to a seed client no longer shows its old version. Only while the container exists.
    public async Task SetVersionsAsync(string id, string? nodeVersion, int? protocolVersion)
    {
        var transaction = Db.CreateTransaction();
        transaction.AddCondition(Condition.KeyExists(RedisKeys.Container(id)));
        _ = transaction.HashSetAsync(RedisKeys.Container(id),
        [
            new HashEntry(ContainerFields.NodeVersion, nodeVersion ?? ""),
            new HashEntry(ContainerFields.ProtocolVersion, protocolVersion?.ToString(CultureInfo.InvariantCulture) ?? ""),
        ]);
        await transaction.ExecuteAsync();
    }

    public async Task<bool> DeleteAsync(string id)
    {
        var deleted = (int)await ContainerScripts.Delete.EvaluateAsync(Db, new ContainerScripts.DeleteArgs(
            Container: RedisKeys.Container(id), Names: await NamesOfAsync(id), Ids: RedisKeys.ContainerIds(ContainerShards.Of(id)),
            Index: RedisKeys.HeartbeatIndex(ContainerShards.Of(id)), Totals: RedisKeys.ContainerTotals(ContainerShards.Of(id)), Id: id)) == 1;
        changes?.Wrote();
        return deleted;
    }

    // The by-name hash holding this container's name: its own shard's for every container the manager
    // created (the id is drawn in the name's shard), its name's shard for one migrated from an older layout.
    private async Task<RedisKey> NamesOfAsync(string id)
    {
        var name = (string?)await Db.HashGetAsync(RedisKeys.Container(id), ContainerFields.Name);
        return RedisKeys.ContainerNames(ContainerShards.Of(name ?? id));
    }

    // Deletes the node's credential; its tokens stop at their next call. False when no such container.
    public async Task<bool> RevokeAsync(string id)
    {
        var revoked = (int)await ContainerScripts.Revoke.EvaluateAsync(Db, new ContainerScripts.RevokeArgs(
            Container: RedisKeys.Container(id), Index: RedisKeys.HeartbeatIndex(ContainerShards.Of(id)),
            Totals: RedisKeys.ContainerTotals(ContainerShards.Of(id)), Id: id, Now: NowMs())) == 1;
        changes?.Wrote();
        return revoked;
    }

    // The stored SHA-256 of a node's credential and its version, for credential logins.
    public async Task<(string? Name, string? Hash, string? Version, string? OrchestratorId)> CredentialAsync(string id)
    {
        var values = await Db.HashGetAsync(RedisKeys.Container(id),
            [ContainerFields.Name, ContainerFields.CredentialHash, ContainerFields.CredentialVersion, ContainerFields.OrchestratorId]);
        return (values[0], values[1], values[2], values[3]);
    }

    // The bounds an enrollment token set for this container (JSON), or null when it was not enrolled.
    public async Task<string?> BoundsAsync(string id) => await Db.HashGetAsync(RedisKeys.Container(id), ContainerFields.Bounds);

    private long NowMs() => time.GetUtcNow().ToUnixTimeMilliseconds();

    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
