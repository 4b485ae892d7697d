namespace Orchestrator.Manager.Contracts;

// username "admin" gets an admin token; "cluster" (with container_name) a token bound to that container.
public sealed record TokenRequest(string? Username, string? Password, string? ContainerName);

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string Role);
