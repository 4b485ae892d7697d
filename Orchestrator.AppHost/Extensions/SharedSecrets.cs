namespace Orchestrator.AppHost.Extensions;

// The admin password is shared by the manager and every orchestrator, as in the seed.
// Both are generated when not given, so a fresh clone runs without setup.
public sealed record SharedSecrets(
    IResourceBuilder<ParameterResource> AdminPassword,
    IResourceBuilder<ParameterResource> JwtSecret);

public static class SharedSecretsExtensions
{
    public static SharedSecrets AddSharedSecrets(this IDistributedApplicationBuilder builder) => new(
        builder.AddParameter("admin-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true),
        builder.AddParameter("jwt-secret", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true));

    public static IResourceBuilder<ProjectResource> WithSecrets(this IResourceBuilder<ProjectResource> manager, SharedSecrets secrets) =>
        manager
            .WithEnvironment("ADMIN_PASSWORD", secrets.AdminPassword)
            .WithEnvironment("JWT_SECRET", secrets.JwtSecret);
}
