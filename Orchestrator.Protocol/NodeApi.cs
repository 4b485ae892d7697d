using System.Text.Json.Nodes;

namespace Orchestrator.Protocol;

// The node's local, read-only API (NodeRoutes): what runs on this node right now.
public sealed record NodeAgentList(int Count, int MaxAgents, IReadOnlyList<NodeAgent> Agents);

// figures are the agent's own numbers (a trading agent's positions, a process's exit code...);
// image_digest is the exact image a `container` agent runs.
public sealed record NodeAgent(
    string AgentId, string AgentType, string State, DateTimeOffset? StartedAt, int Restarts, string? LastError, long Epoch, JsonObject? Figures,
    string? ImageDigest = null);
