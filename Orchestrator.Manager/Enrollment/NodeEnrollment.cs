using System.Text.Json;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Contracts;
using Orchestrator.Manager.Redis;
using Orchestrator.Manager.Tenants;
using StackExchange.Redis;

namespace Orchestrator.Manager.Enrollment;

// Exchanges an enrollment token for a per-node credential. The manager fixes the node's identity: its
// container_id, its container_name and its orchestrator_id (from the token), and holds its claims to the token's bounds.
public sealed class NodeEnrollment(IConnectionMultiplexer redis, EnrollmentTokenStore tokens, TenantQuotas quotas, TenantQuotaGate gate,
    ContainerStore containers, TimeProvider time, FleetChanges? changes = null)
{
    public abstract record Outcome
    {
        public sealed record Enrolled(string ContainerId, string OrchestratorId, string Credential, bool Created) : Outcome;
        // 401: unknown (malformed, deleted, never issued), expired or used up.
        public sealed record TokenRefused(string Reason) : Outcome;
        // 403: a claim beyond the token's bounds.
        public sealed record BeyondBounds(NodeClaims.Refusal Refusal) : Outcome;
        // 409: the name belongs to another customer.
        public sealed record NameTaken(string Name) : Outcome;
        // 409: the name is a live (healthy or unhealthy) node of the tenant, and the token was not made to replace it.
        public sealed record NameHeld(string Name, string Status) : Outcome;
        // 409: a new container would take its tenant past its max_containers quota (issue 13).
        public sealed record OverQuota(string Tenant, int Quota, int Used) : Outcome;
        // 429: other enrollments held the tenant's max_containers check for longer than its lease lives.
        public sealed record QuotaBusy(string Tenant) : Outcome;
    }

    public async Task<Outcome> EnrollAsync(string token, RegisterContainerRequest registration)
    {
        if (await tokens.FindAsync(token) is not { } stored) return new Outcome.TokenRefused(TokenUnknown);
        var (accepted, refusal) = NodeClaims.Check(registration, stored.Bounds, fixedOrchestratorId: null);
        if (refusal is not null) return new Outcome.BeyondBounds(refusal);

        var name = registration.ContainerName!.Trim();
        var db = redis.GetDatabase();
        var tokenKey = RedisKeys.EnrollmentToken(EnrollmentSecrets.Hash(token));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        switch ((string?)await EnrollmentScripts.Use.EvaluateAsync(db, new EnrollmentScripts.UseArgs(tokenKey, now)))
        {
            case "ok": break;
            case "token_expired": return new Outcome.TokenRefused("The enrollment token has expired; ask for a new one.");
            case "token_used_up": return new Outcome.TokenRefused("The enrollment token has been used as often as it allows; ask for a new one.");
            default: return new Outcome.TokenRefused(TokenUnknown);
        }
        Outcome? outcome = null;
        try
        {
            outcome = await RegisterAsync(db, name, registration, accepted!, stored.Bounds, stored.Replaces, now);
            return outcome;
        }
        finally
        {
            // Only an enrolled node keeps its use of the token (see EnrollmentScripts.Use).
            if (outcome is not Outcome.Enrolled) await EnrollmentScripts.Refund.EvaluateAsync(db, new EnrollmentScripts.RefundArgs(tokenKey));
        }
    }

    private async Task<Outcome> RegisterAsync(IDatabase db, string name, RegisterContainerRequest registration, NodeClaims.Accepted accepted,
        NodeBounds tokenBounds, string? replaces, long now)
    {
        // A tenant with a max_containers quota: its lease is held from the count until the container is written,
        // so enrollments racing for its last place cannot pass it together (TenantQuotaGate).
        var tenant = accepted.OrchestratorId;
        var limited = (await quotas.ReadAsync(tenant)).MaxContainers is not null;
        var held = limited ? await gate.EnterAsync(TenantQuotaGate.Containers, [tenant]) : null;
        if (limited && held is null) return new Outcome.QuotaBusy(tenant);
        await using var lease = held;
        // The name may be claimed concurrently: the script refuses if it moved since this read, and we read again.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var current = (string?)await db.HashGetAsync(RedisKeys.ContainerNames(ContainerShards.Of(name)), name);
            // Only a new container counts against the quota: a node enrolling again under its name keeps its place.
            if (current is null && await OverQuotaAsync(accepted.OrchestratorId) is { } over) return over;
            // Any token of the tenant would otherwise take over a running node, its desired state and (later) its
            // secrets: only a revoked or lost node's name is free, unless the token was made to replace this one.
            if (current is not null && current != replaces && await LiveStatusAsync(current, accepted.OrchestratorId) is { } live) return new Outcome.NameHeld(name, live);
            var id = current ?? ContainerShards.NewIdFor(name);
            var credential = EnrollmentSecrets.NewCredential(id);
            var bounds = tokenBounds with { OrchestratorIds = [accepted.OrchestratorId] };
            var result = (RedisResult[])(await EnrollmentScripts.Register.EvaluateAsync(db, new EnrollmentScripts.EnrollArgs(
                Names: RedisKeys.ContainerNames(ContainerShards.Of(name)),
                Ids: RedisKeys.ContainerIds(ContainerShards.Of(id)), Index: RedisKeys.HeartbeatIndex(ContainerShards.Of(id)),
                Totals: RedisKeys.ContainerTotals(ContainerShards.Of(id)), Container: RedisKeys.Container(id),
                Now: now, Name: name, Expected: current ?? "", Id: id,
                OrchestratorId: accepted.OrchestratorId, Host: registration.HostAddress!.Trim(), Port: registration.ApiPort!.Value,
                Capabilities: JsonSerializer.Serialize(accepted.Capabilities, EnrollmentJsonContext.Default.IReadOnlyListString),
                Resources: registration.Resources is { ValueKind: JsonValueKind.Object } r ? r.GetRawText() : "{}",
                Metadata: accepted.MetadataJson, MaxAgents: accepted.MaxAgents, CredentialHash: EnrollmentSecrets.Hash(credential),
                Bounds: JsonSerializer.Serialize(bounds, EnrollmentJsonContext.Default.NodeBounds))))!;
            switch ((string?)result[0])
            {
                case "ok":
                    changes?.Wrote();
                    return new Outcome.Enrolled(id, accepted.OrchestratorId, credential, (int)result[2] == 1);
                case "retry": continue;
                default: return new Outcome.NameTaken(name);
            }
        }
        return new Outcome.NameTaken(name);
    }

    // The status of this tenant's node that still runs (healthy, unhealthy); null when revoked, lost or gone. A name
    // of another tenant is the Register script's to refuse (NameTaken).
    private async Task<string?> LiveStatusAsync(string containerId, string tenant) =>
        await containers.GetAsync(containerId) is { Status: ContainerStatus.Healthy or ContainerStatus.Unhealthy } live && live.OrchestratorId() == tenant
            ? live.Status : null;

    // Counted from a fresh listing, under the tenant's quota lease (see RegisterAsync).
    private async Task<Outcome.OverQuota?> OverQuotaAsync(string tenant)
    {
        if ((await quotas.ReadAsync(tenant)).MaxContainers is not { } max) return null;
        var used = (await containers.ListAsync()).Count(c => c.OrchestratorId() == tenant);
        return used + 1 > max ? new Outcome.OverQuota(tenant, max, used) : null;
    }

    private const string TokenUnknown = "The enrollment token is not known: mistyped, revoked or expired. Ask for a new one.";
}
