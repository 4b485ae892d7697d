using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Manager.Tenants;

// What the manager stores about operators and tenants in Redis (not on the wire, so not in Orchestrator.Protocol).
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StoredOperator))]
[JsonSerializable(typeof(TenantQuota))]
internal sealed partial class TenantsJsonContext : JsonSerializerContext;
