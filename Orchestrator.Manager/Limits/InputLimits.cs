using System.Text.Json;
using System.Text.RegularExpressions;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Limits;

// Count and size limits on what a caller stores (OWASP API4), each a 400 naming the field. They
// add to the contract checks in RequestValidation and DeployRequestValidation.
public static partial class InputLimits
{
    public const int MaxContainerNameLength = 253;

    public static Dictionary<string, string[]> WithinLimits(this Dictionary<string, string[]> errors,
        RegisterContainerRequest request, LimitsOptions limits)
    {
        if (request.ContainerName?.Trim() is { Length: > 0 } name && !errors.ContainsKey("container_name") && !ContainerName().IsMatch(name))
            errors["container_name"] = [$"container_name must be 1-{MaxContainerNameLength} characters of A-Z, a-z, 0-9, '.', '_' or '-'."];
        Strings(errors, "capabilities", request.Capabilities, limits.MaxCapabilities, limits.MaxCapabilityLength);
        JsonObject(errors, "metadata", request.Metadata, limits);
        JsonObject(errors, "resources", request.Resources, limits);
        return errors;
    }

    public static Dictionary<string, string[]> Limits(this DeployRequest request, LimitsOptions limits)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.AgentConfig is { ValueKind: JsonValueKind.Object } config && Utf8Length(config) > limits.MaxAgentConfigBytes)
            errors["agent_config"] = [$"agent_config must be at most {limits.MaxAgentConfigBytes} bytes of JSON."];
        Strings(errors, "constraints.capabilities", request.Constraints?.Capabilities, limits.MaxCapabilities, limits.MaxCapabilityLength);
        if (request.Constraints?.Labels is { } labels)
        {
            if (labels.Count > limits.MaxLabels)
                errors["constraints.labels"] = [$"constraints.labels may have at most {limits.MaxLabels} entries."];
            else if (labels.Any(l => l.Key.Length > limits.MaxLabelLength || (l.Value?.Length ?? 0) > limits.MaxLabelLength))
                errors["constraints.labels"] = [$"constraints.labels keys and values must be at most {limits.MaxLabelLength} characters."];
        }
        return errors;
    }

    private static void Strings(Dictionary<string, string[]> errors, string field, IReadOnlyList<string>? values, int maxCount, int maxLength)
    {
        if (values is null || errors.ContainsKey(field)) return;
        if (values.Count > maxCount) errors[field] = [$"{field} may have at most {maxCount} entries."];
        else if (values.Any(v => v?.Length > maxLength)) errors[field] = [$"each of {field} must be at most {maxLength} characters."];
    }

    private static void JsonObject(Dictionary<string, string[]> errors, string field, JsonElement? value, LimitsOptions limits)
    {
        if (value is not { ValueKind: JsonValueKind.Object } obj || errors.ContainsKey(field)) return;
        if (obj.EnumerateObject().Count() > limits.MaxMetadataProperties)
            errors[field] = [$"{field} may have at most {limits.MaxMetadataProperties} properties."];
        else if (Utf8Length(obj) > limits.MaxMetadataBytes)
            errors[field] = [$"{field} must be at most {limits.MaxMetadataBytes} bytes of JSON."];
    }

    private static int Utf8Length(JsonElement element) => System.Text.Encoding.UTF8.GetByteCount(element.GetRawText());

    [GeneratedRegex("^[A-Za-z0-9._-]{1,253}$", RegexOptions.CultureInvariant)]
    private static partial Regex ContainerName();
}
