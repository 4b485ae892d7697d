using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Orchestrator.Validation.Running;

namespace Orchestrator.Validation.Http;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(TokenRequest))]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(ContainerList))]
[JsonSerializable(typeof(CommunicationStats))]
[JsonSerializable(typeof(DeployRequest))]
[JsonSerializable(typeof(DeployResponse))]
[JsonSerializable(typeof(ManagerAgent))]
[JsonSerializable(typeof(LocalAgentList))]
[JsonSerializable(typeof(LocalAgent))]
[JsonSerializable(typeof(ValidationSummary))]
public sealed partial class ValidationJsonContext : JsonSerializerContext
{
    // The summary is read by people and shells: keep ', <, > and + as they are instead of escaping them.
    public static ValidationJsonContext Readable { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
