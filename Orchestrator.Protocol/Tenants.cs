
namespace Orchestrator.Protocol;

// Tenants and scoped operators on the wire (docs/protocol.md "Tenants and operators"). A tenant is an
// orchestrator_id. Request fields are nullable so a missing one is named in the 400.

// POST /api/v1/operators (admin). role: "operator" (reads, deploys, stops, revokes, enrolls) or "viewer" (reads).
public sealed record CreateOperatorRequest(string? Name, IReadOnlyList<string>? Tenants, string? Role);

// api_key is shown here once; the manager keeps only its SHA-256. Log in with {"username": name, "password": api_key}.
public sealed record OperatorCreated(string Name, string Role, IReadOnlyList<string> Tenants, string ApiKey, DateTimeOffset CreatedAt);

public sealed record OperatorView(string Name, string Role, IReadOnlyList<string> Tenants, DateTimeOffset CreatedAt);

public sealed record OperatorListResponse(IReadOnlyList<OperatorView> Operators, int Count);

// PUT /api/v1/tenants/{id} (admin). null: no limit. require_image_digest: container agents that may land on
// this tenant's nodes must name their image by digest (registry/repo@sha256:...); a tag is refused at deploy (400).
public sealed record SetTenantQuotaRequest(int? MaxContainers, int? MaxAgents, bool? RequireImageDigest = null);

// One tenant: its quotas (null: no limit), its settings and what it uses now (containers registered, agents placed).
public sealed record TenantView(string TenantId, int Containers, int Agents, int? MaxContainers, int? MaxAgents, bool RequireImageDigest = false);

public sealed record TenantListResponse(IReadOnlyList<TenantView> Tenants, int Count);

// One audit entry. time: when; actor/role: who (operator name, "admin", "cluster:<container_name>", or the
// username a failed login tried); tenant: the orchestrator_id it concerns ("" for none); target: the object's
// id; outcome: "success", "denied", "not_found", "refused" or "failed"; trace_id: the W3C trace id.
// A node's own decision (its journal, issue 29) also carries origin "node", node_time (the node's clock when it
// decided), offline_since (when it last heard from the manager before: the gap it decided in), journal_sequence and
// detail; these are null on every other entry (detail also names a broken journal chain).
public sealed record AuditEntry(
    string Id, DateTimeOffset Time, string Actor, string Role, string Tenant, string Action, string Target, string Outcome, string TraceId,
    string? Origin = null, DateTimeOffset? NodeTime = null, DateTimeOffset? OfflineSince = null, long? JournalSequence = null, string? Detail = null);

// GET /api/v1/audit: newest first; follow next_cursor (null on the last page).
public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, int Count, string? NextCursor);

public static class OperatorRoles
{
    public const string Operator = "operator";
    public const string Viewer = "viewer";

    public static readonly IReadOnlyList<string> All = [Operator, Viewer];
}
