namespace Orchestrator.Agent.Runtime;

// Agent types by name, from every IAgentType registered in DI.
public sealed class AgentTypeRegistry(IEnumerable<IAgentType> types)
{
    private readonly Dictionary<string, IAgentType> _types = types.ToDictionary(t => t.Name, StringComparer.Ordinal);

    public IReadOnlyCollection<string> Names => _types.Keys;

    public IAgentType Get(string name) => _types.TryGetValue(name, out var type)
        ? type
        : throw new AgentConfigException($"unknown agent_type '{name}'; this node runs: {string.Join(", ", _types.Keys.Order())}");
}
