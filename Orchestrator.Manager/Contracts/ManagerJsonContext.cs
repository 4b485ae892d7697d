using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Manager.Contracts;

// snake_case on the wire, as the seed's clients send and expect.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(RegisterContainerRequest))]
[JsonSerializable(typeof(RegisterContainerResponse))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(HeartbeatResponse))]
[JsonSerializable(typeof(ContainerView))]
[JsonSerializable(typeof(ContainerListResponse))]
[JsonSerializable(typeof(ClusterStatusResponse))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
[JsonSerializable(typeof(Enrollment.NodeBounds))]
[JsonSerializable(typeof(DeployRequest))]
[JsonSerializable(typeof(DeployResponse))]
[JsonSerializable(typeof(AgentView))]
[JsonSerializable(typeof(AgentListResponse))]
[JsonSerializable(typeof(Assignment))]
[JsonSerializable(typeof(AssignmentsResponse))]
[JsonSerializable(typeof(AgentReportRequest))]
[JsonSerializable(typeof(AgentReportResponse))]
[JsonSerializable(typeof(DistributionResponse))]
[JsonSerializable(typeof(CommunicationStatsResponse))]
[JsonSerializable(typeof(CreateEnrollmentTokenRequest))]
[JsonSerializable(typeof(EnrollmentTokenCreated))]
[JsonSerializable(typeof(EnrollmentTokenListResponse))]
[JsonSerializable(typeof(EnrollRequest))]
[JsonSerializable(typeof(EnrollResponse))]
[JsonSerializable(typeof(RevokeResponse))]
public sealed partial class ManagerJsonContext : JsonSerializerContext;
