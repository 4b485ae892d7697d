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
}
