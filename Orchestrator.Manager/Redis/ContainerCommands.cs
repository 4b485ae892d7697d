namespace Orchestrator.Manager.Redis;

// What the store writes; JSON parts are stored as the client sent them (already validated).
public sealed record ContainerRegistration(
    string Name, string Host, int Port, IReadOnlyList<string> Capabilities,
    string ResourcesJson, string MetadataJson, int MaxAgents);

public sealed record RegistrationResult(string ContainerId, bool Created);

public sealed record HeartbeatReport(double HealthScore, int ActiveAgents, string UsageJson, string? AgentsJson);

public enum HeartbeatOutcome { Accepted, UnknownContainer, WrongContainer }

public sealed record HeartbeatResult(HeartbeatOutcome Outcome, string? StatusBefore = null);

public sealed record StatusChange(string ContainerId, string Status);
