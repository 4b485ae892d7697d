
namespace Orchestrator.Manager.Containers;

// Field names of the container hash (see RedisKeys), shared by C# and the Lua scripts' arguments.
public static class ContainerFields
{
    public const string Id = "id";
    public const string Name = "name";
    public const string Host = "host";
    public const string Port = "port";
    public const string Capabilities = "capabilities";
    public const string Resources = "resources";
    public const string Metadata = "metadata";
    public const string MaxAgents = "max_agents";
    public const string Status = "status";
    public const string RegisteredAt = "registered_at";
    public const string LastHeartbeat = "last_heartbeat";
    // When the liveness sweep last turned it lost (unix ms); meaningful only while status is lost.
    public const string LostAt = "lost_at";
    public const string HealthScore = "health_score";
    public const string ActiveAgents = "active_agents";
    public const string Usage = "usage";
    public const string ReportedAgents = "reported_agents";
    // For the agents issue: agents placed here (capacity check) and the desired-state generation.
    public const string AssignedAgents = "assigned_agents";
    public const string Generation = "generation";
    // Its agents whose last report said running (kept by the report, remove and move scripts).
    public const string RunningAgents = "running_agents";
    // What its desired container agents ask for: CPU in thousandths, memory in MB (AgentScripts.Resources).
    public const string ReservedCpuMillis = "reserved_cpu_millis";
    public const string ReservedMemoryMb = "reserved_memory_mb";
    // Communication counters (GET /api/v1/cluster/communication/stats).
    public const string Heartbeats = "heartbeats";
    public const string RoundTripMs = "round_trip_ms";
    public const string Deliveries = "deliveries";
    public const string Failures = "failures";
    public const string Reconnects = "reconnects";
    // Enrolled nodes: SHA-256 of the node credential (the secret itself is never stored), its version (bumped by
    // every enrollment and revocation; node tokens carry it), the customer fixed by the enrollment token, and the
    // bounds it set (JSON: max_agents, capabilities, labels).
    public const string CredentialHash = "credential_hash";
    public const string CredentialVersion = "credential_version";
    public const string OrchestratorId = "orchestrator_id";
    public const string Bounds = "bounds";
    // Cordon (issue 27): "ineligible" keeps new agents off it (placement and the Reserve/Commit scripts); absent
    // or "eligible" means placeable. Registration leaves both alone, so a node re-registering stays cordoned.
    public const string Eligibility = "eligibility";
    public const string EligibilityReason = "eligibility_reason";
    // DrainProgress as JSON (issue 27).
    public const string Drain = "drain";
    // issue 27: the node_version and protocol_version the node last registered with (blank: none sent).
    public const string NodeVersion = "node_version";
    public const string ProtocolVersion = "protocol_version";
}
