namespace Orchestrator.Manager.Options;

// What one caller may consume (OWASP API4): rates, concurrency and input sizes. Bound from "Limits";
// checked by LimitsOptionsValidator. The README's "Limits" table lists each with its default.
// Defaults leave the performance goals reachable: 2,000 deploys/s for one admin token, 2,000
// registrations/s, and heartbeats are never rate-limited.
public sealed class LimitsOptions
{
    public const string SectionName = "Limits";

    // Deploy calls per second for one caller (token subject): a token bucket, burst of one second's worth.
    public int DeploysPerSecondPerCaller { get; set; } = 5_000;

    // Registrations per second for one caller; a cluster token's caller is its own container_name.
    public int RegistrationsPerSecondPerCaller { get; set; } = 5_000;

    // Log batches (POST .../containers/{id}/logs) per second for one caller, a node: its shipper waits out the 429's
    // Retry-After and resends from its acknowledged sequence, so a limited node loses no line (issue 26).
    public int LogBatchesPerSecondPerCaller { get; set; } = 200;

    // Long-polls one caller may hold at once (on top of one held poll per container).
    public int LongPollsPerCaller { get; set; } = 1_000;

    // Last line of defence: requests handled at once across the process (held long-polls not counted),
    // and how many more may queue for a slot before 429.
    public int MaxConcurrentRequests { get; set; } = 4_096;

    public int MaxQueuedRequests { get; set; } = 4_096;

    // Failed logins, from every client together, within Manager:LoginFailureWindow before every login gets 429.
    public int GlobalLoginFailureLimit { get; set; } = 10_000;

    public int MaxCapabilities { get; set; } = 64;

    public int MaxCapabilityLength { get; set; } = 128;

    public int MaxLabels { get; set; } = 64;

    public int MaxLabelLength { get; set; } = 253;

    // Top-level properties and serialized size of a registration's metadata and resources objects.
    public int MaxMetadataProperties { get; set; } = 64;

    public int MaxMetadataBytes { get; set; } = 8 * 1024;

    // Serialized size of a deploy's agent_config.
    public int MaxAgentConfigBytes { get; set; } = 32 * 1024;
}
