using System.Text.Json;
using Orchestrator.Manager.Contracts;

namespace Orchestrator.Manager.Enrollment;

public static class EnrollmentValidation
{
    public const int MinTtlSeconds = 60;
    public const int MaxTtlSeconds = 30 * 24 * 3600;
    public const int MaxUses = 10_000;
    public const int MaxListEntries = 64;

    // Checks a token request and fills in defaults; every error keyed by its snake_case field.
    public static (string OrchestratorId, TimeSpan Ttl, int MaxUses, NodeBounds Bounds)? Validate(
        this CreateEnrollmentTokenRequest request, int defaultMaxAgents, out Dictionary<string, string[]> errors)
    {
        errors = [];
        var orchestratorId = request.OrchestratorId is { ValueKind: not JsonValueKind.Null } id ? ContainerViewExtensions.JsonIdentifier(id) : null;
        if (request.OrchestratorId is null or { ValueKind: JsonValueKind.Null }) errors["orchestrator_id"] = ["orchestrator_id is required."];
        else if (!RequestValidation.IsIdentifier(orchestratorId)) errors["orchestrator_id"] = ["orchestrator_id must be 1-128 letters, digits, '.', '_' or '-'."];
        if (request.TtlSeconds is < MinTtlSeconds or > MaxTtlSeconds)
            errors["ttl_seconds"] = [$"ttl_seconds must be between {MinTtlSeconds} and {MaxTtlSeconds}."];
        if (request.MaxUses is < 1 or > MaxUses) errors["max_uses"] = [$"max_uses must be between 1 and {MaxUses}."];
        if (request.MaxAgents is < 1 or > 10_000) errors["max_agents"] = ["max_agents must be between 1 and 10000."];
        if (request.Capabilities is { } caps && (caps.Count > MaxListEntries || caps.Any(c => !RequestValidation.IsIdentifier(c))))
            errors["capabilities"] = [$"capabilities must be at most {MaxListEntries} names of 1-128 letters, digits, '.', '_' or '-'."];
        if (request.Labels is { } labels && (labels.Count > MaxListEntries
            || labels.Any(l => !RequestValidation.IsIdentifier(l.Key) || l.Key is "orchestrator_id" or "max_agents" || l.Value is null || l.Value.Length > 253)))
            errors["labels"] = [$"labels must be at most {MaxListEntries} name/value pairs (names 1-128 letters, digits, '.', '_' or '-', " +
                "not orchestrator_id or max_agents; values up to 253 characters)."];
        if (request.Replaces is { } replaces && !RequestValidation.IsIdentifier(replaces)) errors["replaces"] = ["replaces must be a container_id."];
        if (errors.Count > 0) return null;
        return (orchestratorId!, TimeSpan.FromSeconds(request.TtlSeconds ?? 3600), request.MaxUses ?? 1,
            new NodeBounds([orchestratorId!], request.MaxAgents ?? defaultMaxAgents, request.Capabilities, request.Labels));
    }
}
