namespace Orchestrator.Manager.Auth;

public static class Roles
{
    public const string Admin = "admin";
    public const string Cluster = "cluster";
}

public static class Policies
{
    // Operators only.
    public const string Admin = "admin";
    // Operators, or an orchestrator acting for its own container (checked per request).
    public const string ClusterMember = "cluster-member";
}

public static class ManagerClaims
{
    public const string Role = "role";
    public const string Subject = "sub";
    public const string ContainerName = "container_name";
    // Enrolled nodes only: the identity the manager fixed at enrollment, and the credential version the
    // scripts compare with the container hash (a revoked credential's tokens stop at once).
    public const string ContainerId = "container_id";
    public const string OrchestratorId = "orchestrator_id";
    public const string CredentialVersion = "cv";
}

// Who an enrolled node is, as its token says.
public sealed record NodeIdentity(string ContainerId, string ContainerName, string OrchestratorId, string CredentialVersion);
