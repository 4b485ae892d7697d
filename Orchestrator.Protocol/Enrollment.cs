using System.Text.Json;

namespace Orchestrator.Protocol;

// Node identity on the wire (docs/protocol.md "Enrollment"). Fields are nullable so a missing one is named.

// POST /api/v1/cluster/enrollment-tokens (admin). orchestrator_id is the customer the token enrolls for;
// max_agents, capabilities and labels bound what an enrolled node may claim. replaces: the container_id of a
// node of that tenant this token may take over while it is still healthy (a machine replaced, its disk lost);
// without it, enrolling under the name of a live node is refused.
public sealed record CreateEnrollmentTokenRequest(
    JsonElement? OrchestratorId,
    int? TtlSeconds,
    int? MaxUses,
    int? MaxAgents,
    IReadOnlyList<string>? Capabilities,
    IReadOnlyDictionary<string, string>? Labels,
    string? Replaces = null);

// token is shown here once; the manager keeps only its SHA-256.
public sealed record EnrollmentTokenCreated(string Token, string TokenId, string OrchestratorId, DateTimeOffset ExpiresAt, int MaxUses);

public sealed record EnrollmentTokenView(
    string TokenId,
    IReadOnlyList<string> OrchestratorIds,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    int MaxUses,
    int Uses,
    int? MaxAgents,
    IReadOnlyList<string>? Capabilities,
    IReadOnlyDictionary<string, string>? Labels,
    string? Replaces = null);

public sealed record EnrollmentTokenListResponse(IReadOnlyList<EnrollmentTokenView> Tokens, int Count);

// POST /api/v1/cluster/enroll (anonymous; the enrollment token is the credential): the seed's registration
// body plus enrollment_token. journal_key (optional): the node's journal public key (base64 Ed25519), pinned on its
// container so the manager can check the journal it uploads (issue 29).
public sealed record EnrollRequest(
    string? EnrollmentToken,
    string? ContainerName,
    string? HostAddress,
    int? ApiPort,
    IReadOnlyList<string>? Capabilities,
    [property: WireShape(typeof(ContainerResources))] JsonElement? Resources,
    [property: WireShape(typeof(ContainerMetadata))] JsonElement? Metadata,
    int? MaxAgents = null,
    string? JournalKey = null,
    string? NodeVersion = null,
    int? ProtocolVersion = null)
{
    // Not on the wire: the request carries the registration fields flat, beside enrollment_token.
    [System.Text.Json.Serialization.JsonIgnore]
    public RegisterContainerRequest Registration => new(ContainerName, HostAddress, ApiPort, Capabilities, Resources, Metadata, MaxAgents,
        NodeVersion, ProtocolVersion);

    public static EnrollRequest From(string enrollmentToken, RegisterContainerRequest registration, string? journalKey = null) => new(enrollmentToken,
        registration.ContainerName, registration.HostAddress, registration.ApiPort, registration.Capabilities,
        registration.Resources, registration.Metadata, registration.MaxAgents, journalKey,
        registration.NodeVersion, registration.ProtocolVersion);
}

// credential is shown once: the node stores it (DATA_DIR, mode 0600) and logs in with it as "cluster".
public sealed record EnrollResponse(
    string ContainerId, string ContainerName, string OrchestratorId, string Credential, string Status, int HeartbeatInterval);

// POST /api/v1/cluster/containers/{id}/revoke (admin).
public sealed record RevokeResponse(string ContainerId, string Status);
