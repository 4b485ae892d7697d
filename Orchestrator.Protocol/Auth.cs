using System.Text.Json.Serialization;

namespace Orchestrator.Protocol;

// username "admin" gets an admin token; "cluster" (with container_name) a token bound to that container.
// Fields are nullable so the manager names a missing one in its 400.
public sealed record TokenRequest(
    string? Username,
    string? Password,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ContainerName = null)
{
    public const string Admin = "admin";
    public const string Cluster = "cluster";

    public static TokenRequest ForAdmin(string password) => new(Admin, password);

    public static TokenRequest ForNode(string password, string containerName) => new(Cluster, password, containerName);
}

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string Role);
