using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Auth;

// HS256 tokens signed with JWT_SECRET and stamped with its kid; JWT_PREVIOUS_SECRETS still verify, so a
// secret rotates without logging anyone out. Claims: sub, role, jti, exp, and for orchestrators container_name;
// a scoped operator's token carries operator, tenants (array) and ov (its operator version);
// an enrolled node's token also carries container_id, orchestrator_id and its credential version.
public sealed class TokenIssuer(IOptions<ManagerOptions> options, TimeProvider time)
{
    public const string Issuer = "orchestrator-manager";
    public const string Audience = "orchestrator";
    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);

    public TokenResponse Issue(string role, string? containerName) =>
        Issue(role, containerName, null, options.Value.TokenLifetime);

    // An enrolled node: short-lived, bound to one container and customer.
    public TokenResponse IssueNode(NodeIdentity node) =>
        Issue(Roles.Cluster, node.ContainerName, node, options.Value.NodeTokenLifetime);

    // A scoped operator: its role, its tenants and the version that lets DELETE revoke it at once.
    public TokenResponse IssueOperator(StoredOperator scoped) =>
        Issue(scoped.Role, null, null, options.Value.TokenLifetime, scoped);

    private TokenResponse Issue(string role, string? containerName, NodeIdentity? node, TimeSpan lifetime, StoredOperator? scoped = null)
    {
        var settings = options.Value;
        var now = time.GetUtcNow().UtcDateTime;
        var claims = new Dictionary<string, object>
        {
            [ManagerClaims.Subject] = scoped is not null ? $"{role}:{scoped.Name}" : containerName is null ? role : $"{role}:{containerName}",
            [ManagerClaims.Role] = role,
            // Each login its own token, even two in one second: per-token bounds (event streams) count logins, not users.
            [JwtRegisteredClaimNames.Jti] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)),
        };
        if (containerName is not null) claims[ManagerClaims.ContainerName] = containerName;
        if (node is not null)
        {
            claims[ManagerClaims.ContainerId] = node.ContainerId;
            claims[ManagerClaims.OrchestratorId] = node.OrchestratorId;
            claims[ManagerClaims.CredentialVersion] = node.CredentialVersion;
        }
        if (scoped is not null)
        {
            claims[ManagerClaims.OperatorName] = scoped.Name;
            claims[ManagerClaims.Tenants] = scoped.Tenants.ToArray();
            claims[ManagerClaims.OperatorVersion] = scoped.Version;
        }
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Claims = claims,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + lifetime,
            SigningCredentials = new SigningCredentials(SigningKey(settings.JwtSecret), SecurityAlgorithms.HmacSha256),
        });
        return new TokenResponse(token, "bearer", (int)lifetime.TotalSeconds, role);
    }

    public static TokenValidationParameters ValidationParameters(ManagerOptions settings, TimeProvider time) => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        // The current key first; a token's kid picks its key, and a token without kid (issued before kids) tries each.
        IssuerSigningKeys = [SigningKey(settings.JwtSecret), .. settings.JwtPreviousSecrets.Select(SigningKey)],
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

    // kid: a fingerprint of the secret, never the secret itself; lets a verifier pick the key and an operator
    // see which secret signed a token.
    public static string KeyId(string secret) => Fingerprint.Short(secret);

    private static SymmetricSecurityKey SigningKey(string secret) => new(Encoding.UTF8.GetBytes(secret)) { KeyId = KeyId(secret) };
}
