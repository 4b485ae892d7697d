using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Manager.Enrollment;

// What the manager stores about enrollment in Redis (not on the wire, so not in Orchestrator.Protocol).
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(NodeBounds))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(IReadOnlyDictionary<string, string>))]
internal sealed partial class EnrollmentJsonContext : JsonSerializerContext;
