using System.Security.Cryptography;
using System.Text;


namespace Orchestrator.Manager.Auth;

// Secrets the manager hands out once and stores only as SHA-256 (they are random, so no salt or slow hash is needed).
public static class EnrollmentSecrets
{
    // "<token_id>.<secret>", like a Kubernetes bootstrap token: the id is public (listing, DELETE), the secret is not.
    public static (string Token, string TokenId) NewEnrollmentToken()
    {
        var id = RandomNumberGenerator.GetHexString(12, lowercase: true);
        return ($"{id}.{RandomNumberGenerator.GetHexString(48, lowercase: true)}", id);
    }

    // "<container_id>.<secret>": the id says which container hash holds the credential's SHA-256.
    public static string NewCredential(string containerId) => $"{containerId}.{RandomNumberGenerator.GetHexString(64, lowercase: true)}";

    public static string? CredentialContainerId(string credential) =>
        credential.IndexOf('.') is > 4 and var dot && credential.StartsWith("ctr-", StringComparison.Ordinal) ? credential[..dot] : null;

    public static string Hash(string secret) => Fingerprint.Of(secret);

    // Constant time, so a guess learns nothing from the answer's timing.
    public static bool Matches(string secret, string? storedHash) =>
        storedHash is { Length: 64 } && CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(storedHash));
}
