namespace Orchestrator.Manager.Options;

// TRUSTED_PROXIES: the reverse proxies (addresses or CIDR networks, comma-separated) whose
// X-Forwarded-For/-Proto the manager believes. Empty (the default): it believes no one, and the client
// is the socket's address. Rate limits and the login lockout count that client.
public sealed class ProxyOptions
{
    public const string SectionName = "Proxy";

    public string TrustedProxies { get; set; } = "";
}
