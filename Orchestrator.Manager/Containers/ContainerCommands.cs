namespace Orchestrator.Manager.Containers;

// What the store writes; JSON parts are stored as the client sent them (already validated).
public sealed record ContainerRegistration(
    string Name, string Host, int Port, IReadOnlyList<string> Capabilities,
    string ResourcesJson, string MetadataJson, int MaxAgents);

// Revoked: an enrolled node's credential no longer matches its container (revoked, re-enrolled or deleted).
public sealed record RegistrationResult(string ContainerId, bool Created, bool Revoked = false);

// RoundTripMs and Failures are what the orchestrator measured of its own calls (communication stats).
// NodeVersion/ProtocolVersion (issue 27): what the node runs now; stored when sent, so an in-place upgrade shows.
public sealed record HeartbeatReport(
    double HealthScore, int ActiveAgents, string UsageJson, string? AgentsJson, double? RoundTripMs = null, long? Failures = null,
    string? NodeVersion = null, int? ProtocolVersion = null);

public enum HeartbeatOutcome { Accepted, UnknownContainer, WrongContainer, Revoked }

public sealed record HeartbeatResult(HeartbeatOutcome Outcome, string? StatusBefore = null);

public sealed record StatusChange(string ContainerId, string Status);
