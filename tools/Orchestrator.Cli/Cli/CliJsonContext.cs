using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Cli.Session;
using Orchestrator.Protocol;

namespace Orchestrator.Cli.Cli;

// --json prints the manager's own records (snake_case, as docs/protocol.md shows them), indented for reading.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(SavedLogin))]
[JsonSerializable(typeof(LoginResult))]
[JsonSerializable(typeof(ClusterStatusResponse))]
[JsonSerializable(typeof(IReadOnlyList<ContainerView>))]
[JsonSerializable(typeof(ContainerView))]
[JsonSerializable(typeof(RevokeResponse))]
[JsonSerializable(typeof(DeployResponse))]
[JsonSerializable(typeof(AgentListResponse))]
[JsonSerializable(typeof(AgentView))]
[JsonSerializable(typeof(EnrollmentTokenCreated))]
[JsonSerializable(typeof(EnrollmentTokenListResponse))]
[JsonSerializable(typeof(OperatorCreated))]
[JsonSerializable(typeof(OperatorListResponse))]
[JsonSerializable(typeof(AuditPage))]
[JsonSerializable(typeof(ReschedulingPauseView))]
[JsonSerializable(typeof(SecretView))]
[JsonSerializable(typeof(SecretListResponse))]
[JsonSerializable(typeof(Done))]
[JsonSerializable(typeof(RestartAgentResponse))]
[JsonSerializable(typeof(DeploymentView))]
[JsonSerializable(typeof(DeploymentListResponse))]
[JsonSerializable(typeof(RevisionListResponse))]
[JsonSerializable(typeof(ManagerEvent))]
public sealed partial class CliJsonContext : JsonSerializerContext;

// What a command that returns nothing prints with --json: {"done": "agent a-1 stopped"}.
public sealed record Done(string Result);
