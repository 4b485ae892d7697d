using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Protocol;

// snake_case on the wire, as the seed's clients send and expect. The one source-generated context for
// every message; the manager also puts it first in its HTTP JSON options.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(RegisterContainerRequest))]
[JsonSerializable(typeof(RegisterContainerResponse))]
[JsonSerializable(typeof(ContainerResources))]
[JsonSerializable(typeof(ContainerMetadata))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(HeartbeatResources))]
[JsonSerializable(typeof(HeartbeatAgent))]
[JsonSerializable(typeof(IReadOnlyList<HeartbeatAgent>))]
[JsonSerializable(typeof(HeartbeatResponse))]
[JsonSerializable(typeof(ContainerView))]
[JsonSerializable(typeof(ContainerListResponse))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(Assignment))]
[JsonSerializable(typeof(AssignmentsResponse))]
[JsonSerializable(typeof(AgentReportRequest))]
[JsonSerializable(typeof(AgentReportResponse))]
[JsonSerializable(typeof(DeployRequest))]
[JsonSerializable(typeof(DeployResponse))]
[JsonSerializable(typeof(AgentView))]
[JsonSerializable(typeof(AgentListResponse))]
[JsonSerializable(typeof(ClusterStatusResponse))]
[JsonSerializable(typeof(DistributionResponse))]
[JsonSerializable(typeof(CommunicationStatsResponse))]
[JsonSerializable(typeof(NodeAgentList))]
[JsonSerializable(typeof(NodeAgent))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(ProblemDocument))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
