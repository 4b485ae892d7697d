using System.Text.Json.Serialization;

namespace Orchestrator.Agent.Connection;

// POST /api/v1/cluster/enroll: the seed's registration body plus the enrollment token (docs/protocol.md "Enrollment").
public sealed record EnrollRequest(
    string EnrollmentToken,
    string ContainerName,
    string HostAddress,
    int ApiPort,
    IReadOnlyList<string> Capabilities,
    ContainerResources Resources,
    IReadOnlyDictionary<string, string> Metadata,
    int MaxAgents);

// credential is shown once; the node saves it (NodeCredentialFile).
public sealed record EnrollResponse(string ContainerId, string? ContainerName, string? OrchestratorId, string Credential, double? HeartbeatInterval);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(EnrollRequest))]
[JsonSerializable(typeof(EnrollResponse))]
public sealed partial class EnrollmentJsonContext : JsonSerializerContext;
