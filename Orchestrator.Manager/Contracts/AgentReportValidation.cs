namespace Orchestrator.Manager.Contracts;

public static partial class AgentReportValidation
{
    public const int MaxAgentsPerReport = 1000;

    public static Dictionary<string, string[]> Validate(this AgentReportRequest request, string routeId)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.ContainerId is not null && request.ContainerId != routeId)
            errors["container_id"] = ["container_id must match the id in the path."];
        if (request.Agents is null) errors["agents"] = ["agents is required (an empty array is fine)."];
        else if (request.Agents.Count > MaxAgentsPerReport) errors["agents"] = [$"At most {MaxAgentsPerReport} agents per report."];
        else
        {
            for (var i = 0; i < request.Agents.Count; i++)
            {
                var agent = request.Agents[i];
                if (string.IsNullOrWhiteSpace(agent.AgentId)) errors[$"agents[{i}].agent_id"] = ["agent_id is required."];
                if (agent.State is null || !AgentStates.Reportable.Contains(agent.State))
                    errors[$"agents[{i}].state"] = [$"state must be one of {string.Join(", ", AgentStates.Reportable)}."];
                if (agent.Epoch is null or < 1) errors[$"agents[{i}].epoch"] = ["epoch is required and at least 1."];
                if (agent.Restarts is < 0) errors[$"agents[{i}].restarts"] = ["restarts must not be negative."];
                if (agent.ImageDigest is { } digest && !ImageDigest().IsMatch(digest))
                    errors[$"agents[{i}].image_digest"] = ["image_digest must be sha256:<64 hex digits> or an image reference ending in @sha256:<64 hex digits>."];
            }
        }
        return errors;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:[^\s@]{1,400}@)?sha256:[0-9a-f]{64}$")]
    private static partial System.Text.RegularExpressions.Regex ImageDigest();
}
