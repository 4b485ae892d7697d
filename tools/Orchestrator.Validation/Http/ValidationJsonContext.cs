using System.Text.Encodings.Web;
using System.Text.Json.Serialization;
using System.Text.Json;
using Orchestrator.Validation.Running;

namespace Orchestrator.Validation.Http;

// The tool's own output (the seed's summary); what it reads from the manager and nodes is Orchestrator.Protocol's.
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
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
