namespace Orchestrator.Protocol;

// Every path the manager serves (docs/protocol.md). Templates carry {id}; clients fill it with WithId.
public static class ManagerRoutes
{
    public const string Health = "/health";

    public const string Token = "/api/v1/auth/token";

    public const string Containers = "/api/v1/cluster/containers";
    public const string Register = Containers + "/register";
    public const string Container = Containers + "/{id}";
    public const string Heartbeat = Container + "/heartbeat";
    public const string Assignments = Container + "/assignments";
    public const string AgentReport = Container + "/agents/report";
    public const string Revoke = Container + "/revoke";
    // Cordon (issue 27): an ineligible container gets no new agents and keeps what it runs.
    public const string ContainerEligibility = Container + "/eligibility";
    // A node ships its agents' log lines (issue 26).
    public const string ContainerLogs = Container + "/logs";
    // Drain (issue 27): cordon, then move the container's reschedule agents off, max_parallel at a time.
    public const string ContainerDrain = Container + "/drain";
    // A node uploads its journal (issue 29): GET the last entry the manager holds, POST the entries after it.
    public const string ContainerJournal = Container + "/journal";

    // Node identity: admins issue enrollment tokens; a node exchanges one for its own credential (anonymous).
    public const string EnrollmentTokens = "/api/v1/cluster/enrollment-tokens";
    public const string EnrollmentToken = EnrollmentTokens + "/{id}";
    public const string Enroll = "/api/v1/cluster/enroll";

    public const string Agents = "/api/v1/cluster/agents";
    public const string Deploy = Agents + "/deploy";
    public const string Agent = Agents + "/{id}";
    // ?tail=N&since=<time>, or follow=true as server-sent events.
    public const string AgentLogs = Agent + "/logs";
    // Restart in place: same spec, a new epoch (issue 25).
    public const string AgentRestart = Agent + "/restart";

    // Deployments (issue 25): revisions and rolling updates. revert takes ?revision=N (default: the stable one).
    public const string Deployments = "/api/v1/deployments";
    public const string Deployment = Deployments + "/{id}";
    public const string DeploymentPromote = Deployment + "/promote";
    public const string DeploymentPause = Deployment + "/pause";
    public const string DeploymentResume = Deployment + "/resume";
    public const string DeploymentRevert = Deployment + "/revert";
    public const string DeploymentRevisions = Deployment + "/revisions";
    // Stop an agent and keep its data (desired_state stopped), or start it again (issues 25, 27); force: skip its update lock.
    public const string AgentStop = Agent + "/stop";
    public const string AgentStart = Agent + "/start";

    public const string Status = "/api/v1/cluster/status";
    public const string ReschedulingPause = "/api/v1/cluster/rescheduling/pause";
    public const string ReschedulingResume = "/api/v1/cluster/rescheduling/resume";
    public const string Distribution = "/api/v1/cluster/metrics/distribution";
    public const string CommunicationStats = "/api/v1/cluster/communication/stats";
    // issue 27 (s8/connection): nodes counted by version; a tenant's maintenance windows.
    public const string Versions = "/api/v1/cluster/versions";
    public const string TenantMaintenance = Tenant + "/maintenance";

    // Tenants: scoped operators (admin), tenants with quotas and usage, the audit log.
    public const string Operators = "/api/v1/operators";
    public const string Operator = Operators + "/{name}";
    public const string Tenants = "/api/v1/tenants";
    public const string Tenant = Tenants + "/{id}";
    public const string TenantSecrets = Tenant + "/secrets";
    public const string TenantSecret = TenantSecrets + "/{name}";
    public const string Audit = "/api/v1/audit";
    // The live event stream (server-sent events; resume with the Last-Event-ID header).
    public const string Events = "/api/v1/events";

    // The header that makes a deploy safe to retry.
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static string WithId(string template, string id) => template.Replace("{id}", Uri.EscapeDataString(id), StringComparison.Ordinal)
        .Replace("{name}", Uri.EscapeDataString(id), StringComparison.Ordinal);
}

// The node's own local API (read-only; the manager never calls it, operators and the validation tool do).
public static class NodeRoutes
{
    public const string Agents = "/api/v1/agents";
    public const string Agent = Agents + "/{id}";
}
