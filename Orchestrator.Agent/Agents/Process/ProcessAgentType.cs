using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Runtime;

namespace Orchestrator.Agent.Agents.Process;

public sealed class ProcessAgentType(IOptions<RuntimeOptions> options) : IAgentType
{
    public const string TypeName = "process";

    public string Name => TypeName;

    public IAgentWorkload Create(AgentDefinition definition) =>
        new ProcessAgent(ProcessConfig.Parse(definition.AgentConfig, options.Value.AllowedCommands), options.Value.OutputLines,
            options.Value.ProcessEnvironmentAllowlist);
}
