using Orchestrator.Agent.Runtime;

namespace Orchestrator.Agent.Agents.Trading;

public sealed class TradingAgentType(TimeProvider time, TradingTelemetry telemetry, ILogger<TradingAgent> logger) : IAgentType
{
    public const string TypeName = "trading_agent";

    public string Name => TypeName;

    public IAgentWorkload Create(AgentDefinition definition) =>
        new TradingAgent(definition.AgentId, TradingConfig.Parse(definition.AgentId, definition.AgentConfig), time, telemetry, logger);
}
