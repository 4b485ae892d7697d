using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Extensions;

public static class AuthenticationExtensions
{
    public static WebApplicationBuilder AddManagerAuthentication(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddSingleton<CachedTokenHandler>();
        // Read from the validated options, so a secret generated in Development is the one checked.
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<ManagerOptions>, TimeProvider, CachedTokenHandler>((jwt, manager, time, cached) =>
            {
                // Each token is validated once, then served from memory until it expires (see CachedTokenHandler).
                jwt.TokenHandlers.Clear();
                jwt.TokenHandlers.Add(cached);
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = TokenIssuer.ValidationParameters(manager.Value, time);
                jwt.TimeProvider = time;
                jwt.Events = new JwtBearerEvents { OnTokenValidated = OperatorRevocation.CheckAsync };
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Admin, policy => policy.RequireRole(Roles.Admin))
            .AddPolicy(Policies.Reader, policy => policy.RequireRole(Roles.Admin, Roles.Operator, Roles.Viewer))
            .AddPolicy(Policies.Writer, policy => policy.RequireRole(Roles.Admin, Roles.Operator))
            .AddPolicy(Policies.ClusterMember, policy => policy.RequireRole(Roles.Admin, Roles.Cluster));
        return builder;
    }
}
