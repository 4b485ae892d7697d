namespace Orchestrator.Manager.Auth;

public static class Roles
{
    public const string Admin = "admin";
    public const string Cluster = "cluster";
    // Scoped operators (issue 13): see and act only within their tenants (orchestrator_ids).
    public const string Operator = OperatorRoles.Operator;
    public const string Viewer = OperatorRoles.Viewer;
}

public static class Policies
{
    // The vendor's admin only.
    public const string Admin = "admin";
    // Anyone who may read the fleet: admin, operators and viewers (scoped to their tenants per request).
    public const string Reader = "reader";
    // Anyone who may change it: admin and operators (scoped to their tenants per request).
    public const string Writer = "writer";
    // Admins, or an orchestrator acting for its own container (checked per request).
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
    // Scoped operators only: the operator's name, its tenants (a JSON array) and the operator version the
    // manager compares with the stored operator on every request (a deleted operator's tokens stop at once).
    public const string OperatorName = "operator";
    public const string Tenants = "tenants";
    public const string OperatorVersion = "ov";
}

// Who an enrolled node is, as its token says.
public sealed record NodeIdentity(string ContainerId, string ContainerName, string OrchestratorId, string CredentialVersion);
