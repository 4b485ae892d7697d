using System.Security.Cryptography;
using System.Text;

namespace Orchestrator.Manager.Auth;

// The one SHA-256 the manager uses to store or key something without keeping it: secrets, tokens, usernames
// and request bodies. Lower-case hex, so a stored fingerprint reads the same everywhere.
public static class Fingerprint
{
    public static string Of(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    // 64 bits: enough to tell callers or keys apart in key names and logs, short enough to keep names small.
    public static string Short(string text) => Of(text)[..16];
}
