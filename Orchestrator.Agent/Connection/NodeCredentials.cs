using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Protocol;
using Orchestrator.Protocol.Client;

namespace Orchestrator.Agent.Connection;

// How the node logs in: with its own credential (saved under DATA_DIR at enrollment), enrolling first with
// ENROLLMENT_TOKEN when none is saved; with the seed's shared ADMIN_PASSWORD only when ALLOW_SHARED_PASSWORD_NODES
// is on. Startup validation already refused a node that has none of these.
public sealed class NodeCredentials(
    IHttpClientFactory factory,
    IOptions<ManagerConnectionOptions> options,
    IOptions<NodeOptions> node,
    IOptions<RuntimeOptions> runtime,
    HeartbeatComposer composer,
    TimeProvider time,
    ILogger<NodeCredentials> logger,
    Runtime.NodeJournal? journal = null) : IManagerCredentials
{
    private readonly Lock _gate = new();
    // Set when the manager refused this node for good (credential revoked, enrollment token refused): until then no
    // login or enrollment is sent, whichever loop asks. Failed logins count per address at the manager, so a node
    // retrying a refused credential would lock out every other node behind the same NAT.
    private (DateTimeOffset Until, string Reason)? _held;

    public async ValueTask<TokenRequest> GetLoginAsync(CancellationToken cancellationToken)
    {
        ThrowIfHeld();
        var settings = options.Value;
        var dataDirectory = runtime.Value.DataDirectory;
        var name = node.Value.EffectiveContainerName;
        if (NodeCredentialFile.Read(dataDirectory) is { } credential) return TokenRequest.ForNode(credential, name);
        if (settings.EnrollmentToken is { Length: > 0 } token) return TokenRequest.ForNode(await EnrollAsync(token, dataDirectory, cancellationToken), name);
        if (settings.AllowSharedPassword && settings.AdminPassword is { Length: > 0 } shared) return TokenRequest.ForNode(shared, name);
        throw new InvalidOperationException("No node credential is saved under DATA_DIR and ENROLLMENT_TOKEN is not set: enroll this node with an enrollment token.");
    }

    // The manager does not know the saved credential at all (its container is gone: a reset development Redis,
    // a deleted container), as opposed to revoked: with ENROLLMENT_TOKEN still set, enroll again on the next login.
    // A single-use token is refused then, so an operator-deleted node stays out unless given a new token.
    public void ForgetUnknownCredential()
    {
        var dataDirectory = runtime.Value.DataDirectory;
        if (options.Value.EnrollmentToken is not { Length: > 0 } || !NodeCredentialFile.Exists(dataDirectory)) return;
        File.Delete(NodeCredentialFile.PathIn(dataDirectory));
        logger.LogWarning("The manager does not know this node's saved credential; enrolling again with ENROLLMENT_TOKEN");
    }

    public void LoginRefused(ManagerProblemException refusal)
    {
        if (refusal.Is(ProblemTypes.CredentialRevoked)) Hold("401 Credential revoked: the manager revoked this node's credential; enroll it again with a new ENROLLMENT_TOKEN");
    }

    private void Hold(string reason)
    {
        var until = time.GetUtcNow() + options.Value.RefusedLoginRetry;
        lock (_gate) _held = (until, reason);
        logger.LogError("Not asking the manager again until {Until:u} (Manager:RefusedLoginRetry), or until restarted: {Reason}", until, reason);
    }

    private void ThrowIfHeld()
    {
        lock (_gate)
        {
            if (_held is not { } held) return;
            if (time.GetUtcNow() >= held.Until)
            {
                _held = null;
                return;
            }
            throw new NodeRefusedException($"The manager refused this node: {held.Reason}. Not asking again until {held.Until:u}.");
        }
    }

    private async Task<string> EnrollAsync(string token, string dataDirectory, CancellationToken cancellationToken)
    {
        // Anonymous call: these credentials are never asked for.
        var anonymous = new ManagerClient(() => factory.CreateClient(ManagerHttpClients.Calls),
            ManagerCredentials.From(() => throw new InvalidOperationException("enrollment needs no login")));
        EnrollResponse enrolled;
        try
        {
            enrolled = await anonymous.EnrollAsync(EnrollRequest.From(token, composer.Registration(), journal?.TryPublicKey()), cancellationToken);
        }
        catch (ManagerProblemException refused) when (refused.Is(ProblemTypes.EnrollmentTokenRefused))
        {
            Hold($"401 Enrollment token refused: {refused.Problem?.Detail ?? "expired, used up or unknown"} Set a new ENROLLMENT_TOKEN");
            throw;
        }
        NodeCredentialFile.Write(dataDirectory, enrolled.Credential);
        logger.LogInformation("Enrolled as container {ContainerId} (orchestrator_id {OrchestratorId}); credential saved to {Path}",
            enrolled.ContainerId, enrolled.OrchestratorId, NodeCredentialFile.PathIn(dataDirectory));
        return enrolled.Credential;
    }
}

// No call was made: the manager refused this node for good a moment ago (see NodeCredentials).
public sealed class NodeRefusedException(string message) : Exception(message);
