using System.Text.Json.Nodes;

namespace Orchestrator.Agent.Workloads;

// A workload driver runs one agent type, as Nomad's task drivers do: it says whether it can run here at all
// (Fingerprint), starts an agent, adopts one still running from before the node started (Recover), and hands
// back a handle the supervisor waits on, inspects and stops. Config errors are AgentConfigException: that
// agent fails, the others carry on.
public interface IWorkloadDriver
{
    // The agent_type it runs.
    string Name { get; }

    // The capability the node advertises while this driver is usable (the manager places by capability).
    string Capability => Name;

    // True when the agents outlive the node process (containers): a node stopping or upgrading leaves them
    // running and the next node adopts them; in-process agents stop with the node.
    bool OutlivesNode => false;

    ValueTask<DriverFingerprint> FingerprintAsync(CancellationToken cancellationToken);

    Task<IWorkloadHandle> StartAsync(AgentDefinition agent, WorkloadEvents events, CancellationToken cancellationToken);

    // The agent's workload already running from before this node started, with the same spec: adopted as is
    // (never restarted). Null when there is none; a stale one of the same agent is cleaned up first.
    Task<IWorkloadHandle?> RecoverAsync(AgentDefinition agent, WorkloadEvents events, CancellationToken cancellationToken) =>
        Task.FromResult<IWorkloadHandle?>(null);

    // Removes what this driver created for agents no longer desired (Nomad's dangling containers), found by
    // its own marks only: anything it did not create is never touched.
    Task RemoveUndesiredAsync(IReadOnlySet<string> desiredAgentIds, CancellationToken cancellationToken) => Task.CompletedTask;
}

// One started (or adopted) agent.
public interface IWorkloadHandle
{
    DateTimeOffset StartedAt { get; }

    // Completes when the workload ends on its own; throws the reason when that is a crash (non-zero exit,
    // OOM kill, failing health check). A requested stop ends it without an exception.
    Task WaitAsync();

    // Asks it to stop, and forces it once the deadline has passed (then returns true).
    Task<bool> StopAsync(TimeSpan deadline);

    // Releases what the driver holds for it once stopped (a container; its data volume only when removeData).
    Task DestroyAsync(bool removeData) => Task.CompletedTask;

    // Whether the agent holds its update lock (UpdateLock) now; a workload with no data of its own never does.
    Task<bool> HoldsUpdateLockAsync(CancellationToken cancellationToken) => Task.FromResult(false);

    WorkloadInspection Inspect();
}

// The driver's word on a running workload: its health (null: healthy or no check), a reason it cannot be known
// (engine gone), its own figures, and the exact image it runs (containers).
public sealed record WorkloadInspection(JsonObject Figures, string? Unhealthy = null, string? Unknown = null, string? ImageDigest = null);

// Whether a driver can run on this node now, and why not.
public sealed record DriverFingerprint(bool Usable, string Detail)
{
    public static DriverFingerprint Ready(string detail) => new(true, detail);

    // The prefix of a detail saying an engine the driver needs does not answer (the node's health shows it;
    // a driver simply not configured here, like `process` without ALLOWED_COMMANDS, does not degrade it).
    public const string EngineDown = "engine unreachable";

    public static DriverFingerprint Unusable(string detail) => new(false, detail);
}

// How a handle tells its supervisor that something shown about it changed (health, engine reachability).
// It also takes the lines the workload writes (stdout, stderr, the simulated bot's own lines) into the agent's log.
// A driver whose workload keeps its own log with timestamps (a container engine) passes each line's own time, and
// resumes after an adoption from LogPosition, so a node restart neither loses nor repeats lines.
public sealed class WorkloadEvents(Action changed, Action<string, string, DateTimeOffset?>? log = null, Func<LogPosition?>? position = null)
{
    public static WorkloadEvents None { get; } = new(() => { });

    public void Changed() => changed();

    // Whether lines are taken at all (no log buffer: a driver need not read its workload's output).
    public bool Captures => log is not null;

    // stream: LogStreams.Stdout or LogStreams.Stderr; time: the line's own time, else now.
    public void Line(string stream, string text, DateTimeOffset? time = null) => log?.Invoke(stream, text, time);

    // Where this agent's log stands (kept across node restarts), or null.
    public LogPosition? LogPosition() => position?.Invoke();
}

// How far an agent's log has taken its workload's own timestamped log: the newest line's time and how many lines
// carried that very time. Engines stamp lines to the second (Podman 4) or the nanosecond (Docker), so several lines
// can share a time; a reader resuming at Time skips the first AtTime lines stamped with it, and older ones.
public readonly record struct LogPosition(DateTimeOffset Time, int AtTime);

public sealed class AgentConfigException(string message) : Exception(message);
