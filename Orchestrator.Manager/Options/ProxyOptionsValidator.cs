using System.Net;
using Microsoft.Extensions.Options;

namespace Orchestrator.Manager.Options;

public sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var errors = TrustedProxyList.Parse(options.TrustedProxies).Invalid
            .Select(entry => $"TRUSTED_PROXIES (Proxy:TrustedProxies) has '{entry}', which is neither an IP address nor a CIDR network.")
            .ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

public sealed record TrustedProxyList(IReadOnlyList<IPAddress> Proxies, IReadOnlyList<IPNetwork> Networks, IReadOnlyList<string> Invalid)
{
    public static TrustedProxyList Parse(string? value)
    {
        var (proxies, networks, invalid) = (new List<IPAddress>(), new List<IPNetwork>(), new List<string>());
        foreach (var entry in (value ?? "").Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (entry.Contains('/') && IPNetwork.TryParse(entry, out var network)) networks.Add(network);
            else if (!entry.Contains('/') && IPAddress.TryParse(entry, out var address)) proxies.Add(address);
            else invalid.Add(entry);
        }
        return new TrustedProxyList(proxies, networks, invalid);
    }
}
