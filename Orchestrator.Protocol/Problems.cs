using System.Text.Json;
using System.Text.Json.Serialization;

namespace Orchestrator.Protocol;

// An application/problem+json body (RFC 9457). errors maps each offending snake_case field to its messages;
// anything else the manager adds (container_id, agent_id, field, traceId) lands in Extensions.
// (Settable properties, not a positional record: System.Text.Json binds extension data only that way.)
public sealed record ProblemDocument
{
    public string? Type { get; init; }
    public string? Title { get; init; }
    public int? Status { get; init; }
    public string? Detail { get; init; }
    public string? Instance { get; init; }
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }

    [JsonExtensionData]
    public IDictionary<string, JsonElement>? Extensions { get; set; }
}

// One kind of problem the manager answers with: its status and its fixed title. Clients tell them apart
// by these two (the type URI is ASP.NET's default per status, so it does not distinguish them).
public sealed record ProblemType(int Status, string Title)
{
    public bool Matches(ProblemDocument? problem, int status) => status == Status && problem?.Title == Title;
}

public static class ProblemTypes
{
    // ASP.NET's title for a 400 listing field errors (TypedResults.ValidationProblem).
    public static readonly ProblemType ValidationFailed = new(400, "One or more validation errors occurred.");
    public static readonly ProblemType InvalidBody = new(400, "The request body is not valid");
    public static readonly ProblemType InvalidCredentials = new(401, "Invalid credentials");
    public static readonly ProblemType CredentialRevoked = new(401, "Credential revoked");
    public static readonly ProblemType EnrollmentTokenRefused = new(401, "Enrollment token refused");
    public static readonly ProblemType BeyondBounds = new(403, "Beyond this node's bounds");
    public static readonly ProblemType UnknownEnrollmentToken = new(404, "Unknown enrollment token");
    public static readonly ProblemType NameEnrolledElsewhere = new(409, "Name enrolled by another customer");
    public static readonly ProblemType NameHeldByLiveNode = new(409, "Name held by a live node");
    public static readonly ProblemType NotYourContainer = new(403, "Not your container");
    public static readonly ProblemType UnknownContainer = new(404, "Unknown container");
    public static readonly ProblemType UnknownAgent = new(404, "Unknown agent");
    public static readonly ProblemType UnknownOperator = new(404, "Unknown operator");
    public static readonly ProblemType UnknownTenant = new(404, "Unknown tenant");
    public static readonly ProblemType UnknownSecret = new(404, "Unknown secret");
    public static readonly ProblemType UnknownDeployment = new(404, "Unknown deployment");
    // A deployment change its state does not allow (a new spec mid-rollout, resuming what is not paused).
    public static readonly ProblemType DeploymentConflict = new(409, "Deployment state conflict");
    public static readonly ProblemType OperatorNameTaken = new(409, "Operator name taken");
    public static readonly ProblemType QuotaExceeded = new(409, "Tenant quota exceeded");
    public static readonly ProblemType QuotaBelowUsage = new(409, "Quota below current usage");
    public static readonly ProblemType DeployInProgress = new(409, "Deploy in progress");
    public static readonly ProblemType LongPollReplaced = new(409, "Long-poll replaced");
    public static readonly ProblemType NoCapacity = new(409, "No capacity left");
    // A node's journal upload whose chain does not continue what the manager holds (issue 29).
    public static readonly ProblemType JournalTampered = new(409, "Journal chain broken");
    public static readonly ProblemType BodyTooLarge = new(413, "The request body is too large");
    public static readonly ProblemType IdempotencyKeyReused = new(422, "Idempotency-Key reused");
    public static readonly ProblemType UnsupportedAgentType = new(422, "No cluster supports this agent type");
    public static readonly ProblemType NoMatchingCluster = new(422, "No cluster matches the constraints");
    // A node speaking a protocol outside NodeProtocol.Accepted (issue 27): names accepted_protocol_versions.
    public static readonly ProblemType ProtocolNotAccepted = new(426, "Protocol version not accepted");
    public static readonly ProblemType TooManyLogins = new(429, "Too many failed logins");
    public static readonly ProblemType TooManyRequests = new(429, "Too many requests");
    public static readonly ProblemType DistributedModeOff = new(503, "Distributed mode is off");
    public static readonly ProblemType RedisUnreachable = new(503, "Redis is unreachable");
}
