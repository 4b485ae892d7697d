namespace Orchestrator.Protocol;

// Tenant secrets on the wire (docs/protocol.md "Secrets"). The store is write-only: a value goes in with PUT
// and never comes back on any operator route; only the node that holds an agent's current epoch receives it,
// inside that agent's assignment.

// PUT /api/v1/tenants/{id}/secrets/{name}: sets (or replaces) one secret; its version grows by one.
public sealed record PutSecretRequest(string? Value);

// One secret as operators see it: never its value. key_id names the master key it is sealed under, so an
// operator can watch a re-encryption move everything to the new key.
public sealed record SecretView(string Name, string Tenant, int Version, string KeyId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record SecretListResponse(IReadOnlyList<SecretView> Secrets, int Count);
