using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace Orchestrator.Manager.Redis;

// The container registry. Stateless: every call reads or writes Redis (see RedisKeys for the layout).
public sealed class ContainerStore(IConnectionMultiplexer redis, TimeProvider time)
{
    private IDatabase Db => redis.GetDatabase();

    // requiredId/requiredVersion: an enrolled node's token claims; null for admin and shared-password tokens.
    public async Task<RegistrationResult> RegisterAsync(ContainerRegistration registration, string? requiredId = null, string? requiredVersion = null)
    {
        var result = (RedisResult[])(await Db.ScriptEvaluateAsync(ContainerScripts.Register,
            [RedisKeys.ContainerNames, RedisKeys.ContainerIds, RedisKeys.HeartbeatIndex, RedisKeys.ContainerTotals],
            [RedisKeys.ContainerPrefix, registration.Name, NewId(), NowMs(), registration.Host,
             registration.Port, JsonSerializer.Serialize(registration.Capabilities, ProtocolJsonContext.Default.IReadOnlyListString),
             registration.ResourcesJson, registration.MetadataJson, registration.MaxAgents, requiredId ?? "", requiredVersion ?? ""]))!;
        if (result.Length == 1) return new RegistrationResult("", false, Revoked: true);
        return new RegistrationResult((string)result[0]!, (int)result[1] == 1);
    }

    // requiredName: a cluster token's container_name; null for admin tokens. requiredVersion: an enrolled
    // node's credential version; null for admin and shared-password tokens.
    public async Task<HeartbeatResult> HeartbeatAsync(string id, HeartbeatReport report, string? requiredName, string? requiredVersion = null)
    {
        var before = (string?)await Db.ScriptEvaluateAsync(ContainerScripts.Heartbeat,
            [RedisKeys.Container(id), RedisKeys.HeartbeatIndex, RedisKeys.ContainerTotals],
            [id, NowMs(), report.HealthScore, report.ActiveAgents, report.UsageJson, report.AgentsJson ?? "", requiredName ?? "",
             report.RoundTripMs is { } rtt ? Format(rtt) : "", report.Failures ?? -1, requiredVersion ?? ""]);
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
        await Db.HashGetAsync(RedisKeys.ContainerNames, name);

    public async Task<IReadOnlyList<ContainerView>> ListAsync(string? status = null) =>
        await ReadAsync((await Db.SetMembersAsync(RedisKeys.ContainerIds)).Select(id => id.ToString()), status);

    // One page of the registry by SSCAN: cost bounded by the page, not the fleet. The page size is
    // SSCAN's hint, so a page may hold a few more or fewer; cursor "0" means the last page was read.
    public async Task<(IReadOnlyList<ContainerView> Page, string Cursor)> ListPageAsync(string cursor, int limit, string? status)
    {
        var scan = (RedisResult[])(await Db.ExecuteAsync("SSCAN", RedisKeys.ContainerIds, cursor, "COUNT", limit))!;
        var ids = ((RedisResult[])scan[1]!).Select(id => (string)id!);
        return (await ReadAsync(ids, status), (string)scan[0]!);
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

    public async Task<bool> DeleteAsync(string id) =>
        (int)await Db.ScriptEvaluateAsync(ContainerScripts.Delete,
            [RedisKeys.Container(id), RedisKeys.ContainerNames, RedisKeys.ContainerIds, RedisKeys.HeartbeatIndex, RedisKeys.ContainerTotals], [id]) == 1;

    // Deletes the node's credential; its tokens stop at their next call. False when no such container.
    public async Task<bool> RevokeAsync(string id) =>
        (int)await Db.ScriptEvaluateAsync(ContainerScripts.Revoke,
            [RedisKeys.Container(id), RedisKeys.HeartbeatIndex, RedisKeys.ContainerTotals], [id, NowMs()]) == 1;

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

    private static string NewId() => "ctr-" + Guid.NewGuid().ToString("N")[..16];

    internal static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
