using System.Text.Json.Nodes;

namespace Orchestrator.Validation.Phases;

public static class DesiredStateFile
{
    // The desired state the node carries on with alone; readable only where DATA_DIR is (the orchestrator's host, the test suite).
    public static async Task CheckAsync(PhaseContext context, PhaseReport report, PinnedAgents.Deployed agent, CancellationToken ct)
    {
        if (agent.Orchestrator.Target.DataDirectory is not { } dataDirectory) return;
        var file = Path.Combine(dataDirectory, "desired-state.json");
        await context.WaitForAsync($"{agent.Orchestrator.Target.Label}: {file} to list {agent.AgentId}", async token =>
        {
            if (!File.Exists(file)) return (null, "no file");
            JsonNode? state;
            try { state = JsonNode.Parse(await File.ReadAllTextAsync(file, token)); }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or IOException) { return (null, ex.Message); }
            var listed = state?["agents"] is JsonArray agents && agents.Any(a => a?["agent_id"]?.GetValue<string>() == agent.AgentId);
            return (listed ? file : null, $"generation {state?["generation"]}, agent not listed");
        }, ct);
        report.Note($"{agent.Orchestrator.Target.Label}: DATA_DIR holds the desired state ({file} lists {agent.AgentId})");
    }
}
