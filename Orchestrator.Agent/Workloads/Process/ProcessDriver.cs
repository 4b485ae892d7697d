using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Workloads.Process;

// process: a host program named in ALLOWED_COMMANDS. With that list empty the node runs no programs, so the
// driver is not usable and the node does not advertise it.
public sealed class ProcessDriver(IOptions<RuntimeOptions> options, TimeProvider clock) : InProcessDriver(clock)
{
    public const string TypeName = "process";

    public override string Name => TypeName;

    public override ValueTask<DriverFingerprint> FingerprintAsync(CancellationToken cancellationToken) =>
        ValueTask.FromResult(options.Value.AllowedCommands.Count == 0
            ? DriverFingerprint.Unusable("ALLOWED_COMMANDS is empty: this node runs no programs")
            : DriverFingerprint.Ready($"runs: {string.Join(", ", options.Value.AllowedCommands)}"));

    public override IInProcessWorkload Create(AgentDefinition agent) => Create(agent, WorkloadEvents.None);

    public override IInProcessWorkload Create(AgentDefinition agent, WorkloadEvents events) =>
        new ProcessAgent(ProcessConfig.Parse(agent.AgentConfig, options.Value.AllowedCommands), options.Value.OutputLines,
            options.Value.ProcessEnvironmentAllowlist, agent.AgentId, Secrets.AgentSecrets.Of(agent),
            options.Value.SecretsDirectory ?? (OperatingSystem.IsWindows() ? null : Secrets.SecretsDirectory.DefaultRoot(options.Value.DataDirectory)), events,
            AgentDataDirectory.For(options.Value.DataDirectory, agent.AgentId), Time);
}
