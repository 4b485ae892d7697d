namespace Orchestrator.Manager.Agents;

// What one deploy call places: the fields every replica shares, and where each replica goes.
public sealed record AgentPlacement(
    string DeploymentId,
    string AgentType,
    string ConfigJson,
    string Policy,
    int? LeaseSeconds,
    string? Traceparent,
    string ConstraintsJson = "");

// Tenant: the tenant the agent is bound to ("" when it may move anywhere; see AgentConstraints.TenantOn).
public sealed record PlannedReplica(string ContainerId, string AgentId, string OrchestratorId, string AssignmentJson, string Tenant = "");

// ContainerNoCpus / ContainerNoMemory: max_agents had room, but not the container agents' resources (issue 24).
public enum PlaceOutcome { Placed, ContainerFull, ContainerUnavailable, ContainerUnsupported, ContainerNoCpus, ContainerNoMemory }

public sealed record DesiredState(long Generation, IReadOnlyList<string> AssignmentJson);

// Revoked: an enrolled node whose credential was revoked or replaced (401).
public enum AccessOutcome { Allowed, UnknownContainer, WrongContainer, Revoked }
