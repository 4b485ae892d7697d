namespace Orchestrator.Agent.Workloads.Trading;

// trading_agent: the seed's simulated bot, inside the node process; always usable.
public sealed class TradingDriver(TimeProvider time, TradingTelemetry telemetry, ILogger<TradingAgent> logger) : InProcessDriver(time)
{
    public const string TypeName = "trading_agent";

    private readonly TimeProvider _time = time;

    public override string Name => TypeName;

    // The seed's name for "runs the in-process agent types" (AGENT_CONFIG capabilities, the manager's TypeCapabilities).
    public override string Capability => "agent_runner";

    public override IInProcessWorkload Create(AgentDefinition agent) => Create(agent, WorkloadEvents.None);

    public override IInProcessWorkload Create(AgentDefinition agent, WorkloadEvents events) =>
        new TradingAgent(agent.AgentId, TradingConfig.Parse(agent.AgentId, agent.AgentConfig), _time, telemetry, logger, events);
}
