namespace Orchestrator.AppHost.Extensions;

// The manager's secrets, generated when not given so a fresh clone runs without setup. Orchestrators never get
// the admin password: they enroll with the bootstrap enrollment token (like kubeadm's --token), which the
// manager stores at start for the local orchestrator_ids only.
public sealed record SharedSecrets(
    IResourceBuilder<ParameterResource> AdminPassword,
    IResourceBuilder<ParameterResource> JwtSecret,
    IResourceBuilder<ParameterResource> MasterSecretKey,
    IResourceBuilder<ParameterResource> BootstrapEnrollmentToken);

public static class SharedSecretsExtensions
{
    public static SharedSecrets AddSharedSecrets(this IDistributedApplicationBuilder builder) => new(
        builder.AddParameter("admin-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true),
        builder.AddParameter("jwt-secret", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true),
        builder.AddParameter("master-secret-key", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true),
        builder.AddParameter("bootstrap-enrollment-token", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true));

    public static IResourceBuilder<ProjectResource> WithSecrets(this IResourceBuilder<ProjectResource> manager, SharedSecrets secrets) =>
        manager
            .WithEnvironment("ADMIN_PASSWORD", secrets.AdminPassword)
            .WithEnvironment("JWT_SECRET", secrets.JwtSecret)
            .WithEnvironment("MASTER_SECRET_KEY", secrets.MasterSecretKey)
            .WithEnvironment("BOOTSTRAP_ENROLLMENT_TOKEN", secrets.BootstrapEnrollmentToken);

    // --Manager:HeartbeatInterval=<seconds> (tests shorten it) reaches the manager as the seed's
    // HEARTBEAT_INTERVAL; left out otherwise, so the manager's default (30 s) and the manifest stay as they are.
    public static IResourceBuilder<ProjectResource> WithHeartbeatInterval(this IResourceBuilder<ProjectResource> manager) =>
        manager.ApplicationBuilder.Configuration["Manager:HeartbeatInterval"] is { Length: > 0 } seconds
            ? manager.WithEnvironment("HEARTBEAT_INTERVAL", seconds)
            : manager;
}
