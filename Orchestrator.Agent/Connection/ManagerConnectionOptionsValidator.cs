using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Connection;

// Beside the connection it checks: it reads the saved credential and the certificate pin format.
public sealed class ManagerConnectionOptionsValidator(IOptions<RuntimeOptions> runtime) : IValidateOptions<ManagerConnectionOptions>
{
    public const int MaxUrls = 10;

    public ValidateOptionsResult Validate(string? name, ManagerConnectionOptions options)
    {
        List<string> errors = [];
        if (options.AutoRegister)
        {
            if (options.Urls.Count == 0)
                errors.Add("CENTRAL_MANAGER_URL is required when AUTO_REGISTER is true.");
            // Several URLs (comma-separated): each must pass the same rules, so failover never lowers the transport.
            foreach (var url in options.Urls)
                if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
                    errors.Add($"CENTRAL_MANAGER_URL must be an http(s) URL such as http://manager:8000 (several: comma-separated), got '{url}'.");
                else if (uri.Scheme == "http" && !uri.IsLoopback && !options.AllowInsecureTransport)
                    errors.Add($"CENTRAL_MANAGER_URL {url} is plain http to another machine: the node's credential would travel in clear text. " +
                        "Use https:// (MANAGER_CA_FILE for a private CA), or set ALLOW_INSECURE_TRANSPORT=true on a trusted network.");
            if (options.Urls.Count > MaxUrls) errors.Add($"CENTRAL_MANAGER_URL may list at most {MaxUrls} URLs.");
            var saved = NodeCredentialFile.Exists(runtime.Value.DataDirectory);
            if (!saved && string.IsNullOrWhiteSpace(options.EnrollmentToken))
            {
                if (string.IsNullOrWhiteSpace(options.AdminPassword))
                    errors.Add("ENROLLMENT_TOKEN is required when AUTO_REGISTER is true and no credential is saved under DATA_DIR.");
                else if (!options.AllowSharedPassword)
                    errors.Add("ADMIN_PASSWORD no longer lets an orchestrator log in: set ENROLLMENT_TOKEN (an admin creates one with " +
                        "POST /api/v1/cluster/enrollment-tokens), or ALLOW_SHARED_PASSWORD_NODES=true for the seed's shared-password flow.");
            }
        }
        if (options.CaFile is { Length: > 0 } caFile && !File.Exists(caFile))
            errors.Add($"MANAGER_CA_FILE {caFile} does not exist.");
        if (options.CertificateSha256 is { Length: > 0 } pin && NodeTransport.NormalizeFingerprint(pin) is null)
            errors.Add("MANAGER_CERT_SHA256 must be 64 hex digits (':' separators allowed).");
        if (options.HeartbeatInterval <= TimeSpan.Zero) errors.Add($"HEARTBEAT_INTERVAL must be a positive number of seconds, got {options.HeartbeatInterval.TotalSeconds}.");
        if (options.RequestTimeout <= TimeSpan.Zero) errors.Add("Manager:RequestTimeout must be positive.");
        if (options.LongPollWait < TimeSpan.FromSeconds(1) || options.LongPollWait > TimeSpan.FromSeconds(60))
            errors.Add("Manager:LongPollWait must be between 1 and 60 seconds.");
        if (options.OutageMaxDelay <= TimeSpan.Zero) errors.Add("Manager:OutageMaxDelay must be positive.");
        if (options.ProtocolRefusedRetry <= TimeSpan.Zero) errors.Add("Manager:ProtocolRefusedRetry must be positive.");
        if (options.RetryBaseDelay <= TimeSpan.Zero || options.RetryMaxDelay < options.RetryBaseDelay)
            errors.Add("Manager:RetryBaseDelay must be positive and not above Manager:RetryMaxDelay.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
