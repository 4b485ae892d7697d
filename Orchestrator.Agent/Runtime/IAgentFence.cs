using Orchestrator.Agent.Workloads;

namespace Orchestrator.Agent.Runtime;

// Which desired agents must not run now (agent id -> reason shown for it). Fencing/LeaseFence is the one the
// node uses; declared here so the runtime does not depend on the room above it.
public interface IAgentFence
{
    IReadOnlyDictionary<string, string> Decide(IEnumerable<AgentDefinition> agents);
}
