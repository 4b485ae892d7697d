using Microsoft.Extensions.Options;

namespace Orchestrator.Agent.Configuration;

// Each validator lists every problem, named by the seed variable an operator would set.
public sealed class NodeOptionsValidator : IValidateOptions<NodeOptions>
{
    public ValidateOptionsResult Validate(string? name, NodeOptions options)
    {
        List<string> errors = [];
        if (options.Port is < 1 or > 65535) errors.Add($"AGENT_PORT must be a port number (1-65535), got {options.Port}.");
        if (options.MaxAgents < 1) errors.Add($"AGENT_CONFIG max_agents must be at least 1, got {options.MaxAgents}.");
        if (string.IsNullOrWhiteSpace(options.OrchestratorId)) errors.Add("ORCHESTRATOR_ID must not be empty.");
        if (string.IsNullOrWhiteSpace(options.ExternalIp)) errors.Add("EXTERNAL_IP must not be empty.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

public sealed class RuntimeOptionsValidator : IValidateOptions<RuntimeOptions>
{
    public ValidateOptionsResult Validate(string? name, RuntimeOptions options)
    {
        List<string> errors = [];
        if (string.IsNullOrWhiteSpace(options.DataDirectory)) errors.Add("DATA_DIR must not be empty.");
        if (options.AllowedCommands.Any(string.IsNullOrWhiteSpace)) errors.Add("ALLOWED_COMMANDS must not contain empty entries.");
        if (options.RestartBaseDelay <= TimeSpan.Zero || options.RestartMaxDelay < options.RestartBaseDelay)
            errors.Add("Runtime:RestartBaseDelay must be positive and not above Runtime:RestartMaxDelay.");
        if (options.StopTimeout <= TimeSpan.Zero) errors.Add("Runtime:StopTimeout must be positive.");
        if (options.OutputLines < 1) errors.Add("Runtime:OutputLines must be at least 1.");
        // At least a few lines of room, so compaction always frees space.
        if (!(options.LogBufferMegabytes >= 0.004)) errors.Add("LOG_BUFFER_MB (Runtime:LogBufferMegabytes) must be at least 0.004 (4 KiB).");
        if (options.MaxLockSeconds is < 0 or > Protocol.AgentLifecycleConfig.MaxLockSecondsLimit)
            errors.Add($"MAX_LOCK_SECONDS (Runtime:MaxLockSeconds) must be from 0 to {Protocol.AgentLifecycleConfig.MaxLockSecondsLimit}, got {options.MaxLockSeconds}.");
        if (options.LogShipLinesPerSecond < 1) errors.Add("LOG_SHIP_LINES_PER_SECOND (Runtime:LogShipLinesPerSecond) must be at least 1.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

public sealed class SeedProblemsValidator : IValidateOptions<SeedProblems>
{
    public ValidateOptionsResult Validate(string? name, SeedProblems options) =>
        options.Problems.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(options.Problems.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value));
}

public sealed class ContainerEngineOptionsValidator : IValidateOptions<ContainerEngineOptions>
{
    public ValidateOptionsResult Validate(string? name, ContainerEngineOptions options)
    {
        List<string> errors = [];
        if (!Uri.TryCreate(options.DockerHost, UriKind.Absolute, out var host) || host.Scheme is not ("unix" or "tcp" or "http" or "https"))
            errors.Add($"DOCKER_HOST must be unix:///path/to/docker.sock or tcp://host:port, got '{options.DockerHost}'.");
        if (options.RegistryAuthFile is { Length: > 0 } file && !File.Exists(file))
            errors.Add($"REGISTRY_AUTH_FILE {file} does not exist.");
        if (options.InspectPeriod <= TimeSpan.Zero) errors.Add("Containers:InspectPeriod must be positive.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

// A broken keys file stops the node at start, naming the setting: it must never start with fewer checks than asked.
public sealed class SigningOptionsValidator : IValidateOptions<SigningOptions>
{
    public ValidateOptionsResult Validate(string? name, SigningOptions options)
    {
        List<string> errors = [];
        if (options.Mode is not (SigningOptions.Off or SigningOptions.Monitor or SigningOptions.Require))
            errors.Add($"SPEC_SIGNATURES must be off, monitor or require, got '{options.SpecSignatures}'.");
        else if (options.Mode != SigningOptions.Off && !options.HasKeys)
            errors.Add($"SPEC_SIGNATURES={options.Mode} needs TRUSTED_SIGNING_KEYS (the path of the vendor's public keys file).");
        if (options.OnKeyRevoked is not (SigningOptions.Stop or SigningOptions.Keep))
            errors.Add($"ON_KEY_REVOKED must be stop or keep, got '{options.OnKeyRevoked}'.");
        if (options.HasKeys)
        {
            try
            {
                Protocol.Signing.TrustedSigningKeys.Load(options.TrustedSigningKeys!);
            }
            catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
            {
                errors.Add(ex is FormatException ? ex.Message : $"TRUSTED_SIGNING_KEYS ({options.TrustedSigningKeys}) cannot be read: {ex.Message}");
            }
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
