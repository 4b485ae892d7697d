using System.Text.Json.Nodes;
using Orchestrator.Protocol;
using Orchestrator.Validation.Http;

namespace Orchestrator.Validation.Phases;

// Whether an agent did its own work between two looks at the local API, without being restarted.
public static class AgentProgress
{
    // A few ticks, so one tick in flight at the first look does not count as progress.
    public const long MinimumTicks = 3;

    public static bool Advanced(NodeAgent before, NodeAgent now) =>
        Ticks(before) is { } a && Ticks(now) is { } b
            ? b - a >= MinimumTicks
            : !JsonNode.DeepEquals(before.Figures, now.Figures); // other agent types: any change in their figures

    public static bool SameRun(NodeAgent before, NodeAgent now) =>
        now.State == "running" && now.Restarts == before.Restarts && now.StartedAt == before.StartedAt && now.Epoch == before.Epoch;

    public static string Describe(NodeAgent agent) =>
        $"state {agent.State}, restarts {agent.Restarts}, started_at {agent.StartedAt:O}, ticks_processed {Ticks(agent)?.ToString() ?? "n/a"}";

    public static string Progress(NodeAgent before, NodeAgent now) =>
        $"ticks_processed {Ticks(before)?.ToString() ?? "n/a"} -> {Ticks(now)?.ToString() ?? "n/a"}, restarts {now.Restarts}, started_at {now.StartedAt:O}";

    private static long? Ticks(NodeAgent agent) =>
        agent.Figures?["ticks_processed"] is JsonValue value && value.TryGetValue<long>(out var ticks) ? ticks : null;
}
