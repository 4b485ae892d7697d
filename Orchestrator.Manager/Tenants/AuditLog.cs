using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Redis;
using StackExchange.Redis;

namespace Orchestrator.Manager.Tenants;

// Who changed what: every call that changes something appends one entry to a capped Redis stream
// (RedisKeys.AuditLog, XADD MAXLEN ~) and writes the same entry as a structured log event. Entries hold
// names and ids only, never a password, api_key, token or credential. An entry's time is the stream id's
// (Redis's clock), so every replica's entries sort on one clock and `since` is a range on the id.
public sealed class AuditLog(IConnectionMultiplexer redis, IOptions<TenancyOptions> options, ILogger<AuditLog> logger)
{
    public Task RecordAsync(CallerScope caller, string action, string target, string outcome, string tenant) =>
        RecordAsync(caller.Actor, caller.Role, tenant, action, target, outcome);

    // node: a decision the node made on its own, from its journal (issue 29); detail alone: what the manager found
    // (a broken journal chain).
    public async Task RecordAsync(string actor, string role, string tenant, string action, string target, string outcome,
        NodeOrigin? node = null, string? detail = null)
    {
        var traceId = Activity.Current?.TraceId.ToString() ?? "";
        detail ??= node?.Detail;
        logger.LogInformation("Audit {AuditAction} {AuditOutcome}: actor {AuditActor} ({AuditRole}), tenant {AuditTenant}, target {AuditTarget}, trace {AuditTraceId}",
            action, outcome, actor, role, tenant, target, traceId);
        try
        {
            List<NameValueEntry> fields =
                [new(Fields.Actor, actor), new(Fields.Role, role), new(Fields.Tenant, tenant), new(Fields.Action, action),
                 new(Fields.Target, target), new(Fields.Outcome, outcome), new(Fields.TraceId, traceId)];
            if (node is not null)
            {
                fields.Add(new(Fields.Origin, NodeOrigin.Name));
                fields.Add(new(Fields.NodeTime, node.NodeTime.ToUnixTimeMilliseconds()));
                if (node.OfflineSince is { } since) fields.Add(new(Fields.OfflineSince, since.ToUnixTimeMilliseconds()));
                fields.Add(new(Fields.JournalSequence, node.Sequence));
            }
            if (detail is not null) fields.Add(new(Fields.Detail, detail));
            await redis.GetDatabase().StreamAddAsync(RedisKeys.AuditLog, [.. fields],
                maxLength: options.Value.AuditMaxEntries, useApproximateMaxLength: true);
        }
        catch (Exception ex) when (ex is RedisException or RedisTimeoutException)
        {
            // The change itself already happened: losing its audit entry must not turn the answer into a 500.
            logger.LogError(ex, "Audit entry {AuditAction} by {AuditActor} could not be stored in Redis", action, actor);
        }
    }

    // One page, newest first, of the entries the filter keeps. Reads at most MaxScanned entries per call, so a
    // filter that rarely matches still answers quickly: then the page may be short, with a next_cursor.
    public async Task<AuditPage> ReadAsync(AuditFilter filter, int limit, string? cursor)
    {
        const int Batch = 500;
        const int MaxScanned = 20_000;
        var db = redis.GetDatabase();
        var entries = new List<AuditEntry>(limit);
        var max = cursor is null ? "+" : "(" + cursor;
        var min = filter.Since is { } since ? since.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + "-0" : "-";
        var scanned = 0;
        string? last = null;
        while (entries.Count < limit && scanned < MaxScanned)
        {
            var batch = await db.StreamRangeAsync(RedisKeys.AuditLog, min, max, Batch, Order.Descending);
            if (batch.Length == 0) return new AuditPage(entries, entries.Count, null);
            foreach (var raw in batch)
            {
                scanned++;
                last = raw.Id!;
                if (ToEntry(raw) is { } entry && filter.Keeps(entry)) entries.Add(entry);
                if (entries.Count == limit) break;
            }
            if (batch.Length < Batch && entries.Count < limit) return new AuditPage(entries, entries.Count, null);
            max = "(" + last;
        }
        return new AuditPage(entries, entries.Count, last);
    }

    private static AuditEntry? ToEntry(StreamEntry raw)
    {
        var id = raw.Id.ToString();
        if (!long.TryParse(id.Split('-')[0], CultureInfo.InvariantCulture, out var ms)) return null;
        string Field(string name) => raw[name].ToString();
        string? Optional(string name) => raw[name] is { IsNull: false } value ? value.ToString() : null;
        DateTimeOffset? Time(string name) => long.TryParse(Optional(name), CultureInfo.InvariantCulture, out var at) ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;
        return new AuditEntry(id, DateTimeOffset.FromUnixTimeMilliseconds(ms), Field(Fields.Actor), Field(Fields.Role), Field(Fields.Tenant),
            Field(Fields.Action), Field(Fields.Target), Field(Fields.Outcome), Field(Fields.TraceId),
            Optional(Fields.Origin), Time(Fields.NodeTime), Time(Fields.OfflineSince),
            long.TryParse(Optional(Fields.JournalSequence), CultureInfo.InvariantCulture, out var sequence) ? sequence : null, Optional(Fields.Detail));
    }

    private static class Fields
    {
        public const string Actor = "actor";
        public const string Role = "role";
        public const string Tenant = "tenant";
        public const string Action = "action";
        public const string Target = "target";
        public const string Outcome = "outcome";
        public const string TraceId = "trace_id";
        public const string Origin = "origin";
        public const string NodeTime = "node_time";
        public const string OfflineSince = "offline_since";
        public const string JournalSequence = "journal_sequence";
        public const string Detail = "detail";
    }
}

// A node's own decision in the audit log (issue 29): the node's clock when it decided, its last contact with the
// manager before (the gap it decided in), its journal sequence and what it did.
public sealed record NodeOrigin(DateTimeOffset NodeTime, DateTimeOffset? OfflineSince, long Sequence, string Detail)
{
    public const string Name = "node";
}

// What GET /api/v1/audit keeps: Tenants null = every tenant (admins); an operator's own tenants otherwise.
public sealed record AuditFilter(IReadOnlySet<string>? Tenants, string? Tenant, string? Actor, string? Action, DateTimeOffset? Since)
{
    public bool Keeps(AuditEntry entry) =>
        (Tenants is null || Tenants.Contains(entry.Tenant))
        && (Tenant is null || entry.Tenant == Tenant)
        && (Actor is null || entry.Actor == Actor)
        && (Action is null || entry.Action == Action);
}

public static class AuditActions
{
    public const string Login = "login";
    public const string Deploy = "deploy";
    public const string Stop = "stop";
    public const string Delete = "delete";
    public const string Revoke = "revoke";
    public const string EnrollmentTokenCreate = "enrollment_token.create";
    public const string EnrollmentTokenDelete = "enrollment_token.delete";
    public const string EnrollmentTokenUse = "enrollment_token.use";
    public const string OperatorCreate = "operator.create";
    public const string OperatorDelete = "operator.delete";
    public const string QuotaChange = "quota.change";
    public const string SecretPut = "secret.put";
    public const string SecretDelete = "secret.delete";
    public const string ReschedulingPause = "rescheduling.pause";
    public const string ReschedulingResume = "rescheduling.resume";
    // Recorded for a node (actor cluster:<name>): it refused an agent's spec (signature check), target the agent id.
    public const string AgentRejected = "agent.rejected";
    public const string Eligibility = "container.eligibility";
    // Issue 25: deployments and restarts (target: the deployment or agent id; a forced restart is "agent.restart.forced").
    public const string DeploymentCreate = "deployment.create";
    public const string DeploymentUpdate = "deployment.update";
    public const string DeploymentDelete = "deployment.delete";
    public const string DeploymentPromote = "deployment.promote";
    public const string DeploymentPause = "deployment.pause";
    public const string DeploymentResume = "deployment.resume";
    public const string DeploymentRevert = "deployment.revert";
    // Recorded by the rollout driver (actor rollout, role system) when a rollout ends or rolls back.
    public const string DeploymentFailed = "deployment.failed";
    public const string DeploymentSucceeded = "deployment.successful";
    public const string DeploymentReverted = "deployment.reverted";
    public const string AgentRestart = "agent.restart";
    public const string AgentRestartForced = "agent.restart.forced";
    // issue 27 (s8/connection): a tenant's maintenance windows set.
    public const string MaintenanceChange = "maintenance.change";
    // Drain and stop/start (issues 25, 27): a forced one is its own action, so the audit log records the force.
    public const string Drain = "container.drain";
    public const string DrainForced = "container.drain.forced";
    public const string AgentStop = "agent.stop";
    public const string AgentStopForced = "agent.stop.forced";
    public const string AgentStart = "agent.start";
    // The node's journal (issue 29): one entry per decision the node made on its own ("node." + its kind: restart,
    // fence, adopt, refuse, lock_timeout), actor cluster:<name>, target the agent id, outcome success; and a journal
    // whose chain is broken (edited on disk, or not continuing what the manager holds), outcome refused.
    public const string NodeDecisionPrefix = "node.";
    public const string NodeJournalTampered = "node.journal_tampered";
    public static string NodeDecision(string kind) => NodeDecisionPrefix + kind;

    public static readonly IReadOnlyList<string> All =
    [
        Login, Deploy, Stop, Delete, Revoke, EnrollmentTokenCreate, EnrollmentTokenDelete, EnrollmentTokenUse,
        OperatorCreate, OperatorDelete, QuotaChange, SecretPut, SecretDelete, ReschedulingPause, ReschedulingResume, AgentRejected,
        Eligibility,
        DeploymentCreate, DeploymentUpdate, DeploymentDelete, DeploymentPromote, DeploymentPause, DeploymentResume, DeploymentRevert,
        DeploymentFailed, DeploymentSucceeded, DeploymentReverted,
        AgentRestart, AgentRestartForced,
        Drain, DrainForced, AgentStop, AgentStopForced, AgentStart,
        MaintenanceChange,
        // The node's journal (issue 29).
        .. Orchestrator.Protocol.JournalKinds.All.Select(NodeDecision), NodeJournalTampered,
    ];
}

public static class AuditOutcomes
{
    public const string Success = "success";
    // Refused as bad input, a conflict or a quota.
    public const string Refused = "refused";
    // Wrong credentials or role.
    public const string Denied = "denied";
    public const string NotFound = "not_found";
}
