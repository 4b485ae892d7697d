using System.Text.Json;
using Microsoft.Extensions.Options;
using NSec.Cryptography;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Workloads;
using Orchestrator.Protocol.Signing;

namespace Orchestrator.Agent.Runtime;

// What this node's signature check decided for one desired set (SpecGate.Decide).
// Rejected: agents that must not run (id -> the failed check); Notes: agents that run although their check failed
// (monitor mode, or a revoked key with ON_KEY_REVOKED=keep), the failure shown as their last_error.
public sealed record SpecVerdicts(IReadOnlyDictionary<string, string> Rejected, IReadOnlyDictionary<string, string> Notes)
{
    public static SpecVerdicts None { get; } = new(new Dictionary<string, string>(), new Dictionary<string, string>());
}

// The node does not trust the manager blindly: each assignment's signature is checked against the keys its customer
// pinned (TRUSTED_SIGNING_KEYS) for this node's own tenant, before any driver starts it. The keys file is re-read at
// every reconcile, so removing a key refuses its specs at the next one; a file broken at runtime keeps the last good
// keys (and says so), because a half-written file must not stop or admit anything.
public sealed class SpecGate(IOptions<SigningOptions> options, IOptions<NodeOptions> node, ILogger<SpecGate> logger) : IHostedService
{
    private readonly Lock _gate = new();
    private IReadOnlyDictionary<string, PublicKey> _keys = new Dictionary<string, PublicKey>();

    public string Mode => options.Value.Mode;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var signing = options.Value;
        if (signing.HasKeys && signing.Mode == SigningOptions.Off)
            logger.LogWarning("TRUSTED_SIGNING_KEYS is set but SPEC_SIGNATURES=off: this node runs any spec the manager sends, signed or not. "
                + "Set SPEC_SIGNATURES=require (or unset it) to refuse unsigned and altered specs");
        else if (signing.Mode != SigningOptions.Off)
            logger.LogInformation("Spec signatures: {Mode}, keys from {Path}, on key revoked: {OnKeyRevoked}", signing.Mode,
                signing.TrustedSigningKeys, signing.OnKeyRevoked);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // runs: whether this very definition already runs on this node (for ON_KEY_REVOKED=keep).
    public SpecVerdicts Decide(IReadOnlyCollection<AgentDefinition> desired, Func<AgentDefinition, bool> runs)
    {
        var signing = options.Value;
        if (signing.Mode == SigningOptions.Off || desired.Count == 0) return SpecVerdicts.None;
        var keys = Keys(signing.TrustedSigningKeys!);
        var rejected = new Dictionary<string, string>(StringComparer.Ordinal);
        var notes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var definition in desired)
        {
            if (Check(definition, keys) is not { } failure) continue;
            var reason = $"spec signature check failed: {failure}";
            var revokedButKept = signing.OnKeyRevoked == SigningOptions.Keep && failure.StartsWith("unknown key", StringComparison.Ordinal) && runs(definition);
            if (signing.Mode == SigningOptions.Monitor || revokedButKept)
            {
                notes[definition.AgentId] = (signing.Mode == SigningOptions.Monitor ? "SPEC_SIGNATURES=monitor: " : "ON_KEY_REVOKED=keep: ") + reason;
                continue;
            }
            rejected[definition.AgentId] = "rejected (SPEC_SIGNATURES=require): " + reason;
            logger.LogWarning("Refusing agent {AgentId} ({AgentType}): {Reason}", definition.AgentId, definition.AgentType, reason);
        }
        return new SpecVerdicts(rejected, notes);
    }

    private string? Check(AgentDefinition definition, IReadOnlyDictionary<string, PublicKey> keys)
    {
        // The spec exactly as the manager sent it; a config the node could not read fails on its own (ConfigError).
        using var config = JsonDocument.Parse(definition.AgentConfig?.ToJsonString() ?? "{}");
        try
        {
            return SpecSigning.Check(definition.Signature, keys, definition.AgentType, config.RootElement, node.Value.OrchestratorId);
        }
        catch (ArgumentException ex)
        {
            return $"malformed spec: {ex.Message}";
        }
    }

    private IReadOnlyDictionary<string, PublicKey> Keys(string path)
    {
        try
        {
            var keys = TrustedSigningKeys.Load(path);
            lock (_gate) _keys = keys;
            return keys;
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            logger.LogError("TRUSTED_SIGNING_KEYS could not be re-read; keeping the last good keys: {Error}", ex.Message);
            lock (_gate) return _keys;
        }
    }
}
