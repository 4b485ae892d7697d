using System.Text.Json;

namespace Orchestrator.Protocol;

// The typed shapes of the fields the manager keeps as raw JSON objects ([WireShape]), turned into
// what HeartbeatRequest and RegisterContainerRequest carry.
public static class WireShapes
{
    private static readonly ProtocolJsonContext Json = ProtocolJsonContext.Default;

    public static JsonElement ToJson(this ContainerResources resources) => JsonSerializer.SerializeToElement(resources, Json.ContainerResources);

    public static JsonElement ToJson(this ContainerMetadata metadata) => JsonSerializer.SerializeToElement(metadata, Json.ContainerMetadata);

    public static JsonElement ToJson(this HeartbeatResources resources) => JsonSerializer.SerializeToElement(resources, Json.HeartbeatResources);

    public static JsonElement ToJson(this IReadOnlyList<ReportedAgent> agents) => JsonSerializer.SerializeToElement(agents, Json.IReadOnlyListReportedAgent);
}
