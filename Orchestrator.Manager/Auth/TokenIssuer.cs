using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Auth;

// HS256 tokens signed with JWT_SECRET; claims sub, role, container_name (cluster only), exp.
public sealed class TokenIssuer(IOptions<ManagerOptions> options, TimeProvider time)
{
    public const string Issuer = "orchestrator-manager";
    public const string Audience = "orchestrator";
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public TokenResponse Issue(string role, string? containerName)
    {
        var settings = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            [ManagerClaims.Subject] = containerName is null ? role : $"{role}:{containerName}",
            [ManagerClaims.Role] = role,
        };
        if (containerName is not null) claims[ManagerClaims.ContainerName] = containerName;
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + settings.TokenLifetime,
            SigningCredentials = new SigningCredentials(SigningKey(settings.JwtSecret), SecurityAlgorithms.HmacSha256),
        });
        return new TokenResponse(token, "bearer", (int)settings.TokenLifetime.TotalSeconds, role);
    }

    public static TokenValidationParameters ValidationParameters(ManagerOptions settings, TimeProvider time) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        IssuerSigningKey = SigningKey(settings.JwtSecret),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        NameClaimType = ManagerClaims.Subject,
        RoleClaimType = ManagerClaims.Role,
        // The same clock that issued the token checks its lifetime (TimeProvider, not DateTime.UtcNow).
        LifetimeValidator = (notBefore, expires, _, _) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return (notBefore is null || now >= notBefore.Value - ClockSkew) && expires is { } end && now <= end + ClockSkew;
        },
    };

    private static SymmetricSecurityKey SigningKey(string secret) => new(Encoding.UTF8.GetBytes(secret));
}
