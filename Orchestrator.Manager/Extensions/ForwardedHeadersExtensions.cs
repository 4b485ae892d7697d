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
        {
            var trusted = TrustedProxyList.Parse(proxy.Value.TrustedProxies);
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var address in trusted.Proxies) forwarded.KnownProxies.Add(address);
            foreach (var network in trusted.Networks) forwarded.KnownIPNetworks.Add(network);
            // Walk a chain of trusted proxies from the right, stopping at the first address not trusted.
            forwarded.ForwardLimit = null;
        });
        return builder;
    }
}
