using System.Text.Json;
using System.Text.RegularExpressions;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Scheduling;

// Turns a deploy body into a DeployCommand, or names every field that is wrong.
public static partial class DeployRequestValidation
{
    public static DeployCommand? ToCommand(this DeployRequest request, SchedulingOptions options, out Dictionary<string, string[]> errors)
    {
        errors = [];
        if (string.IsNullOrWhiteSpace(request.AgentType)) errors["agent_type"] = ["agent_type is required."];
        else if (!TypeName().IsMatch(request.AgentType))
            errors["agent_type"] = ["agent_type must be 1-100 characters of a-z, 0-9, '_', '-' or '.'."];
        if (request.AgentConfig is { } config && config.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            errors["agent_config"] = ["agent_config must be a JSON object."];
        else if (request.AgentConfig is { } sent && JsonDuplicateKeys.Find(sent, "agent_config") is { } duplicate)
            errors[duplicate] = [$"{duplicate} appears more than once; every key may appear once."];
        if (!PlacementStrategies.TryGet(request.DeploymentStrategy, out var strategy))
            errors["deployment_strategy"] = [$"Unknown deployment_strategy '{request.DeploymentStrategy}'; use one of {string.Join(", ", PlacementStrategies.All.Keys)}."];
        var replicas = request.Replicas ?? 1;
        if (replicas < 1 || replicas > options.MaxReplicas) errors["replicas"] = [$"replicas must be between 1 and {options.MaxReplicas}."];
        var policy = request.OnClusterLoss ?? ClusterLossPolicies.Keep;
        if (!ClusterLossPolicies.All.Contains(policy)) errors["on_cluster_loss"] = ["on_cluster_loss must be 'keep' or 'reschedule'."];

        var pinned = Identifier(request.AgentConfig, "orchestrator_id", "agent_config.orchestrator_id", errors);
        var constrained = request.Constraints?.OrchestratorId is { ValueKind: not JsonValueKind.Null } c
            ? ContainerViewExtensions.JsonIdentifier(c) ?? Invalid(errors, "constraints.orchestrator_id") : null;
        if (pinned is not null && constrained is not null && pinned != constrained)
            errors["constraints.orchestrator_id"] = ["constraints.orchestrator_id contradicts agent_config.orchestrator_id."];
        if (request.AgentType == "process") ProcessEnvironment(request.AgentConfig, errors);
        if (request.AgentType == ContainerAgentConfig.AgentType)
            foreach (var (field, messages) in ContainerAgentConfig.Validate(request.AgentConfig)) errors[field] = messages;
        // Update lock and (process) health check fields, issue 25.
        AgentLifecycleConfig.Validate(request.AgentType, request.AgentConfig, errors);
        if (request.Signature is { } signature) Signature(signature, request, errors);
        // Secrets belong to a tenant, so an agent that references any is pinned to one (its values come from there).
        var references = ServiceDefaults.SecretReferences.Read(request.AgentConfig, out var secretErrors);
        foreach (var (field, messages) in secretErrors) errors[field] = messages;
        if (references.ImagePull is not null && request.AgentType != ContainerAgentConfig.AgentType)
            errors[$"agent_config.{ServiceDefaults.SecretReferences.ImagePullField}"] = ["agent_config.image_pull_secret is for container agents only (they pull an image)."];
        if (references.Any && pinned is null && constrained is null && !errors.ContainsKey("agent_config.orchestrator_id"))
            errors["agent_config.orchestrator_id"] = ["An agent that references secrets must be pinned to one tenant: set agent_config.orchestrator_id."];
        if (request.Constraints?.Capabilities?.Any(string.IsNullOrWhiteSpace) == true)
            errors["constraints.capabilities"] = ["constraints.capabilities must be non-empty strings."];
        if (errors.Count > 0) return null;

        var capabilities = new[] { options.RequiredCapability(request.AgentType!) }
            .Concat(request.Constraints?.Capabilities ?? []).Distinct(StringComparer.Ordinal).ToList();
        var configJson = request.AgentConfig is { ValueKind: JsonValueKind.Object } obj ? obj.GetRawText() : "{}";
        var lease = policy == ClusterLossPolicies.Reschedule ? (int?)Math.Ceiling(options.AgentLease.TotalSeconds) : null;
        return new DeployCommand(request.AgentType!, configJson, strategy, replicas, capabilities, pinned ?? constrained,
            request.Constraints?.Labels ?? new Dictionary<string, string>(), policy, lease)
        {
            Demand = request.AgentType == ContainerAgentConfig.AgentType ? ContainerAgentConfig.DemandOf(request.AgentConfig) : default,
            Signature = request.Signature,
        };
    }

    private static string? Identifier(JsonElement? obj, string property, string field, Dictionary<string, string[]> errors) =>
        obj is { ValueKind: JsonValueKind.Object } o && o.TryGetProperty(property, out var value) && value.ValueKind != JsonValueKind.Null
            ? ContainerViewExtensions.JsonIdentifier(value) ?? Invalid(errors, field)
            : null;

    // A process agent's env may not carry loader, shell or runtime hooks (ProcessEnvironmentPolicy); the node checks again.
    private static void ProcessEnvironment(JsonElement? config, Dictionary<string, string[]> errors)
    {
        if (config is not { ValueKind: JsonValueKind.Object } obj || !obj.TryGetProperty("env", out var env) || env.ValueKind == JsonValueKind.Null) return;
        if (env.ValueKind != JsonValueKind.Object)
        {
            errors["agent_config.env"] = ["agent_config.env must be an object of strings."];
            return;
        }
        foreach (var variable in env.EnumerateObject())
        {
            if (ServiceDefaults.ProcessEnvironmentPolicy.Refusal(variable.Name) is { } refusal)
                errors[$"agent_config.env.{variable.Name}"] = [$"agent_config.env {refusal}."];
            else if (variable.Value.ValueKind != JsonValueKind.String)
                errors[$"agent_config.env.{variable.Name}"] = ["agent_config.env values must be strings."];
        }
    }

    // Only the signature's shape: the manager holds no key and cannot check it (the node does). A signed container
    // spec must pin its image by digest, or the signature would vouch for whatever the tag points to later.
    private static void Signature(Protocol.Signing.SpecSignature signature, DeployRequest request, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(signature.KeyId) || signature.KeyId.Length > 200)
            errors["signature.key_id"] = ["signature.key_id must be 1-200 characters (the id of the key in the node's TRUSTED_SIGNING_KEYS)."];
        if (signature.Algorithm != Protocol.Signing.SpecSignature.Ed25519)
            errors["signature.algorithm"] = ["signature.algorithm must be 'ed25519'."];
        if (!IsSignatureValue(signature.Value))
            errors["signature.value"] = ["signature.value must be the base64 of a 64-byte Ed25519 signature."];
        if (request.AgentType == ContainerAgentConfig.AgentType && ContainerAgentConfig.ImageOf(request.AgentConfig) is { } image
            && !ContainerAgentConfig.IsDigestReference(image))
            errors["agent_config.image"] = ["A signed container spec must pin agent_config.image by digest (registry/repo@sha256:<64 hex>)."];
    }

    private static bool IsSignatureValue(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 200) return false;
        Span<byte> bytes = stackalloc byte[150];
        return Convert.TryFromBase64String(value, bytes, out var written) && written == 64;
    }

    private static string? Invalid(Dictionary<string, string[]> errors, string field)
    {
        errors[field] = [$"{field} must be a string or a number."];
        return null;
    }

    [GeneratedRegex("^[a-z0-9_.-]{1,100}$")]
    private static partial Regex TypeName();
}
