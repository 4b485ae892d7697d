using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Extensions;

// X-Forwarded-For/-Proto are believed only from TRUSTED_PROXIES. Anyone else who reaches port 8000
// cannot pick the address that rate limits and the login lockout count against.
public static class ForwardedHeadersExtensions
{
    public static WebApplicationBuilder AddTrustedProxies(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProxyOptions>().BindConfiguration(ProxyOptions.SectionName).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ProxyOptions>, ProxyOptionsValidator>();
        // PostConfigure, so it also wins over ASPNETCORE_FORWARDEDHEADERS_ENABLED=true, which would trust everyone.
        builder.Services.AddOptions<ForwardedHeadersOptions>().PostConfigure<IOptions<ProxyOptions>>((forwarded, proxy) =>
            Trust(forwarded, TrustedProxyList.Parse(proxy.Value.TrustedProxies)));
        return builder;
    }

    public static void Trust(ForwardedHeadersOptions forwarded, TrustedProxyList trusted)
    {
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // The obsolete list too, in case it still holds ASP.NET's loopback default.
        forwarded.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
        foreach (var address in trusted.Proxies) forwarded.KnownProxies.Add(address);
        foreach (var network in trusted.Networks) forwarded.KnownIPNetworks.Add(network);
        // ForwardedHeadersMiddleware checks the sender only when one of its lists has an entry: with both empty it
        // believes every peer. So no TRUSTED_PROXIES means no forwarded header is read at all, not an empty list.
        forwarded.ForwardedHeaders = forwarded.KnownProxies.Count + forwarded.KnownIPNetworks.Count == 0
            ? ForwardedHeaders.None
            : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        // Walk a chain of trusted proxies from the right, stopping at the first address not trusted.
        forwarded.ForwardLimit = null;
    }
}
