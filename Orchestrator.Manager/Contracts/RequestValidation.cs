using System.Text.Json;

namespace Orchestrator.Manager.Contracts;

// Hand-written checks: each error is keyed by the snake_case field the client sent.
public static class RequestValidation
{
    public const int MaxNameLength = 253;

    // Tenant (orchestrator_id), capability and label names.
    public static bool IsIdentifier(string? value) =>
        value is { Length: >= 1 and <= 128 } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    public static Dictionary<string, string[]> Validate(this TokenRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(request.Username)) errors["username"] = ["username is required."];
        if (string.IsNullOrEmpty(request.Password)) errors["password"] = ["password is required."];
        if (request.Username == "cluster" && string.IsNullOrWhiteSpace(request.ContainerName))
            errors["container_name"] = ["container_name is required for a cluster token."];
        return errors;
    }

    public static Dictionary<string, string[]> Validate(this RegisterContainerRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        Name(errors, "container_name", request.ContainerName);
        Name(errors, "host_address", request.HostAddress);
        if (request.ApiPort is null) errors["api_port"] = ["api_port is required."];
        else if (request.ApiPort is < 1 or > 65535) errors["api_port"] = [$"api_port must be between 1 and 65535; got {request.ApiPort}."];
        if (request.Capabilities?.Any(string.IsNullOrWhiteSpace) == true) errors["capabilities"] = ["capabilities must be non-empty strings."];
        Object(errors, "resources", request.Resources);
        Object(errors, "metadata", request.Metadata);
        if (request.MaxAgents is < 1 or > 10_000) errors["max_agents"] = ["max_agents must be between 1 and 10000."];
        if (request.Metadata is { ValueKind: JsonValueKind.Object } metadata && metadata.TryGetProperty("max_agents", out var max)
            && !(max.ValueKind == JsonValueKind.Number && max.TryGetInt32(out var m) && m is >= 1 and <= 10_000))
            errors["metadata.max_agents"] = ["metadata.max_agents must be an integer between 1 and 10000."];
        Versions(errors, request.NodeVersion, request.ProtocolVersion);
        return errors;
    }

    public static Dictionary<string, string[]> Validate(this HeartbeatRequest request, string routeId)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.ContainerId is not null && request.ContainerId != routeId)
            errors["container_id"] = ["container_id must match the id in the path."];
        if (request.HealthScore is null) errors["health_score"] = ["health_score is required."];
        else if (request.HealthScore is < 0 or > 100 || double.IsNaN(request.HealthScore.Value))
            errors["health_score"] = ["health_score must be between 0 and 100."];
        if (request.ActiveAgents is null) errors["active_agents"] = ["active_agents is required."];
        else if (request.ActiveAgents < 0) errors["active_agents"] = ["active_agents must not be negative."];
        Object(errors, "resources", request.Resources);
        if (request.Agents is { } agents && agents.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null))
            errors["agents"] = ["agents must be an array."];
        Versions(errors, request.NodeVersion, request.ProtocolVersion);
        return errors;
    }

    // issue 27: both optional; node_version is shown to operators, so it is short and printable.
    public const int MaxNodeVersionLength = 64;

    private static void Versions(Dictionary<string, string[]> errors, string? nodeVersion, int? protocolVersion)
    {
        if (nodeVersion is not null && (nodeVersion.Length is 0 or > MaxNodeVersionLength || nodeVersion.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))))
            errors["node_version"] = [$"node_version must be 1-{MaxNodeVersionLength} printable characters without spaces, e.g. 1.4.2."];
        if (protocolVersion is < 1) errors["protocol_version"] = ["protocol_version must be a positive integer."];
    }

    private static void Name(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) errors[field] = [$"{field} is required."];
        else if (value.Length > MaxNameLength) errors[field] = [$"{field} must be at most {MaxNameLength} characters."];
    }

    private static void Object(Dictionary<string, string[]> errors, string field, JsonElement? value)
    {
        if (value is { } element && element.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            errors[field] = [$"{field} must be a JSON object."];
    }
}
