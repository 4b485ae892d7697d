using System.Text.Json.Nodes;

namespace Orchestrator.Agent.Runtime;

// An agent type is a plug-in registered by name. Create validates the config and throws
// AgentConfigException with a clear message when it is wrong; that agent fails, the others carry on.
public interface IAgentType
{
    string Name { get; }

    IAgentWorkload Create(AgentDefinition definition);
}

// One running instance. RunAsync returns when the workload ends: cancellation asks it to stop
// gracefully; an exception is a crash. Kill is the forced stop once the deadline has passed.
public interface IAgentWorkload
{
    Task RunAsync(CancellationToken stopping);

    void Kill();

    // Type-specific figures for the local API (ticks, P&L, output lines...).
    JsonObject Figures();
}

public sealed class AgentConfigException(string message) : Exception(message);
