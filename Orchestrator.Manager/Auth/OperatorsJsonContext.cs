using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Manager.Auth;

// What the manager stores about operators in Redis (not on the wire, so not in Orchestrator.Protocol); the same
// options as TenantsJsonContext, so an operator written before the two were split reads back unchanged.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StoredOperator))]
internal sealed partial class OperatorsJsonContext : JsonSerializerContext;
