using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Manager.Tenants;

// What the manager stores about tenants in Redis (not on the wire, so not in Orchestrator.Protocol).
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TenantQuota))]
[JsonSerializable(typeof(StoredMaintenance))]
internal sealed partial class TenantsJsonContext : JsonSerializerContext;
