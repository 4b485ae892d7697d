using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Events;

// The Redis stream behind the live event stream: XADD with MAXLEN ~ (capped, trimmed in whole nodes so it
// stays O(1)), XREAD after an id. Entry ids are Redis's, so every replica agrees on order and on what
// "after Last-Event-ID" means, and a manager restart loses nothing.
public sealed class EventStore(IConnectionMultiplexer redis, IOptions<EventsOptions> options)
{
    // Stream ids are "<ms>-<seq>"; anything else in Last-Event-ID is refused before Redis sees it.
    public static bool IsEventId(string value)
    {
        var dash = value.IndexOf('-');
        return value.Length <= 41 && dash > 0 && ulong.TryParse(value.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out _)
            && ulong.TryParse(value.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out _);
    }

    // Container id -> tenant: fixed once a container exists (an enrolled node's orchestrator_id cannot change).
    private readonly ConcurrentDictionary<string, string> _tenants = new(StringComparer.Ordinal);

    private IDatabase Db => redis.GetDatabase();

    public async Task AppendAsync(IReadOnlyList<PendingEvent> batch)
    {
        var db = Db;
        var maxLength = options.Value.MaxLength;
        var writes = new List<Task>(batch.Count);
        foreach (var e in batch)
        {
            var tenant = e.Tenant ?? (e.ContainerId is { } id ? await TenantOfAsync(id) : null);
            writes.Add(db.StreamAddAsync(RedisKeys.Events, Fields(e, tenant), maxLength: maxLength, useApproximateMaxLength: true));
        }
        await Task.WhenAll(writes);
    }

    // The id of the newest entry, or "0-0": a new stream starts after it (events from now on).
    public async Task<string> LatestIdAsync()
    {
        var newest = await Db.StreamRangeAsync(RedisKeys.Events, "-", "+", count: 1, messageOrder: Order.Descending);
        return newest.Length == 0 ? "0-0" : newest[0].Id.ToString();
    }

    public async Task<IReadOnlyList<ManagerEvent>> ReadAfterAsync(string afterId, int count)
    {
        var entries = await Db.StreamReadAsync(RedisKeys.Events, afterId, count);
        return entries.Select(ToEvent).ToList();
    }

    // Each agent's last reported state on the reporting container, tenant and deployment, read before a report
    // changes them (one pipelined HMGET per agent, one for the container's reports).
    public async Task<IReadOnlyDictionary<string, AgentBefore>> AgentsBeforeAsync(string containerId, IReadOnlyList<ReportedAgent>? agents)
    {
        var ids = (agents ?? []).Select(a => a.AgentId).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0) return new Dictionary<string, AgentBefore>();
        var db = Db;
        RedisValue[] fields = [AgentFields.Orchestrator, AgentFields.Deployment];
        var reads = ids.Select(id => db.HashGetAsync(RedisKeys.Agent(id), fields)).ToList();
        var reports = db.HashGetAsync(RedisKeys.Reports(containerId), ids.Select(id => (RedisValue)id).ToArray());
        await Task.WhenAll(reads);
        var states = await reports;
        var before = new Dictionary<string, AgentBefore>(StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
        {
            var values = reads[i].Result;
            // An agent the manager does not know (stopped meanwhile) is no change worth telling.
            if (values[0].IsNull) continue;
            before[ids[i]] = new AgentBefore(ReportedState(states[i]), values[0].ToString(), values[1].IsNullOrEmpty ? null : values[1].ToString());
        }
        return before;
    }

    private static string? ReportedState(RedisValue report)
    {
        if (report.IsNullOrEmpty) return null;
        using var document = JsonDocument.Parse(report.ToString());
        return document.RootElement.TryGetProperty(AgentFields.ReportedState, out var state) && state.GetString() is { Length: > 0 } s ? s : null;
    }

    private async Task<string?> TenantOfAsync(string containerId)
    {
        if (_tenants.TryGetValue(containerId, out var known)) return known;
        var metadata = (string?)await Db.HashGetAsync(RedisKeys.Container(containerId), ContainerFields.Metadata);
        if (metadata is null) return null;
        try
        {
            using var document = JsonDocument.Parse(metadata);
            if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("orchestrator_id", out var id)
                && ContainerViewExtensions.JsonIdentifier(id) is { } tenant)
                return _tenants[containerId] = tenant;
        }
        catch (JsonException)
        {
            // A seed client's metadata that is not JSON: the event simply has no tenant (admins still see it).
        }
        return null;
    }

    private static NameValueEntry[] Fields(PendingEvent e, string? tenant)
    {
        var fields = new List<NameValueEntry>(8)
        {
            new("type", e.Type),
            new("time", e.Time.ToUnixTimeMilliseconds()),
        };
        if (tenant is not null) fields.Add(new("tenant", tenant));
        if (e.ContainerId is not null) fields.Add(new("container_id", e.ContainerId));
        if (e.AgentId is not null) fields.Add(new("agent_id", e.AgentId));
        if (e.DeploymentId is not null) fields.Add(new("deployment_id", e.DeploymentId));
        if (e.State is not null) fields.Add(new("state", e.State));
        if (e.Detail is not null) fields.Add(new("detail", e.Detail));
        if (e.Node is { } node)
        {
            fields.Add(new("origin", "node"));
            fields.Add(new("node_time", node.NodeTime.ToUnixTimeMilliseconds()));
            if (node.OfflineSince is { } since) fields.Add(new("offline_since", since.ToUnixTimeMilliseconds()));
            fields.Add(new("journal_sequence", node.Sequence));
        }
        return [.. fields];
    }

    private static ManagerEvent ToEvent(StreamEntry entry)
    {
        string? Field(string name) => entry[name] is { IsNull: false } value ? value.ToString() : null;
        var ms = long.TryParse(Field("time"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var t) ? t : 0;
        DateTimeOffset? Time(string name) =>
            long.TryParse(Field(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var at) ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;
        return new ManagerEvent(entry.Id.ToString(), Field("type") ?? "", DateTimeOffset.FromUnixTimeMilliseconds(ms), Field("tenant"),
            Field("container_id"), Field("agent_id"), Field("deployment_id"), Field("state"), Field("detail"),
            Field("origin"), Time("node_time"), Time("offline_since"),
            long.TryParse(Field("journal_sequence"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var sequence) ? sequence : null);
    }
}
