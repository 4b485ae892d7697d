using System.Text.Json.Nodes;

namespace Orchestrator.Agent.Runtime;

// What the local API (as Protocol's NodeAgent) and the heartbeat show of one agent.
public sealed record AgentView(
    string AgentId,
    string AgentType,
    AgentState State,
    DateTimeOffset? StartedAt,
    int Restarts,
    string? LastError,
    long Epoch,
    JsonObject Figures);
