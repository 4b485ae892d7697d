namespace Orchestrator.Protocol;

// GET /health on the manager and on every node (anonymous): one entry per check, so an operator sees
// which dependency failed. Written by ServiceDefaults' HealthResponseWriter.
public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, HealthCheckEntry>? Checks);

public sealed record HealthCheckEntry(string Status, string? Description);
