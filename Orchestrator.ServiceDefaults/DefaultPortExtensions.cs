using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Microsoft.Extensions.Hosting;

public static class DefaultPortExtensions
{
    // Standalone runs listen on the product's well-known port. ASPNETCORE_URLS or HTTP_PORTS
    // (set by Aspire, a container image or an operator) win, so hosts can pick ports of their own.
    public static WebApplicationBuilder ListenOnDefaultPort(this WebApplicationBuilder builder, int port)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"])
            && string.IsNullOrWhiteSpace(builder.Configuration["http_ports"]))
        {
            builder.WebHost.UseUrls($"http://+:{port}");
        }
        return builder;
    }
}
