namespace Orchestrator.Tests.Network;

// The network tier runs real processes in many namespaces on a small machine: one lab at a time.
[CollectionDefinition(Name)]
public sealed class NetworkCollection
{
    public const string Name = "Network (namespaces, one lab at a time)";
}
