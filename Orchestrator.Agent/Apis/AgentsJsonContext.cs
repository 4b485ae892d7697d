using System.Text.Json.Serialization;
using Orchestrator.Agent.Runtime;

namespace Orchestrator.Agent.Apis;

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AgentList))]
[JsonSerializable(typeof(AgentView))]
public sealed partial class AgentsJsonContext : JsonSerializerContext;
