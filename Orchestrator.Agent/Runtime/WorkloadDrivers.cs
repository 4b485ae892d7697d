using Orchestrator.Agent.Workloads;

namespace Orchestrator.Agent.Runtime;

// The workload drivers by agent type, from every IWorkloadDriver registered in DI.
public sealed class WorkloadDrivers(IEnumerable<IWorkloadDriver> drivers)
{
    private readonly Dictionary<string, IWorkloadDriver> _drivers = drivers.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<IWorkloadDriver> All => _drivers.Values;

    public IWorkloadDriver Get(string name) => _drivers.TryGetValue(name, out var driver)
        ? driver
        : throw new AgentConfigException($"unknown agent_type '{name}'; this node runs: {string.Join(", ", _drivers.Keys.Order())}");
}
