using System.Text.Json.Serialization;

namespace Orchestrator.Agent.Runtime;

// pending -> starting -> running -> stopping -> stopped, or failed with its error.
[JsonConverter(typeof(JsonStringEnumConverter<AgentState>))]
public enum AgentState
{
    [JsonStringEnumMemberName("pending")] Pending,
    [JsonStringEnumMemberName("starting")] Starting,
    [JsonStringEnumMemberName("running")] Running,
    [JsonStringEnumMemberName("stopping")] Stopping,
    [JsonStringEnumMemberName("stopped")] Stopped,
    [JsonStringEnumMemberName("failed")] Failed,
}

public static class AgentStateNames
{
    public static string ToWire(this AgentState state) => state.ToString().ToLowerInvariant();
}
