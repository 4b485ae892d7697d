using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Connection;

// TLS to the manager: MANAGER_CA_FILE trusts a private CA (only that CA, for the manager's connection), and
// MANAGER_CERT_SHA256 pins the manager's own certificate. Without either, the system's trust store decides.
public static class NodeTransport
{
    public static SocketsHttpHandler CreateHandler(ManagerConnectionOptions options)
    {
        // UseProxy stays on: HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured (.NET's default proxy reads them).
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), UseProxy = true };
        var ca = options.CaFile is { Length: > 0 } file ? X509CertificateLoader.LoadCertificateFromFile(file) : null;
        var pin = options.CertificateSha256 is { Length: > 0 } p ? NormalizeFingerprint(p) : null;
        if (ca is null && pin is null) return handler;
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            certificate is X509Certificate2 presented && Validate(presented, errors, ca, pin);
        return handler;
    }

    public static bool Validate(X509Certificate2 presented, SslPolicyErrors errors, X509Certificate2? ca, string? pin)
    {
        if (pin is not null && !string.Equals(Convert.ToHexString(SHA256.HashData(presented.RawData)), pin, StringComparison.Ordinal))
            return false;
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
            return false;
        if (ca is null) return pin is not null || errors == SslPolicyErrors.None;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(presented);
    }

    // Upper-case hex without separators, or null when it is not a SHA-256 fingerprint.
    public static string? NormalizeFingerprint(string value)
    {
        var hex = value.Replace(":", "", StringComparison.Ordinal).Trim().ToUpperInvariant();
        return hex.Length == 64 && hex.All(Uri.IsHexDigit) ? hex : null;
    }
}
