using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Containers;

// The manager's version-skew policy (issue 27): which node protocols registration accepts (NodeProtocol: N and
// N-1), and which node build it recommends. A node that sends no version (the seed's clients) is accepted and
// never called outdated.
public sealed class NodeVersionPolicy(IOptions<ManagerOptions> options)
{
    public string RecommendedNodeVersion { get; } =
        options.Value.RecommendedNodeVersion is { Length: > 0 } given ? given.Trim() : NodeProtocol.VersionOf(typeof(NodeVersionPolicy).Assembly);

    public VersionPolicy Policy => new(NodeProtocol.Current, NodeProtocol.Accepted, RecommendedNodeVersion);

    public bool Accepts(int? protocolVersion) => protocolVersion is not { } version || NodeProtocol.Accepts(version);

    public bool IsOutdated(string? nodeVersion) => NodeProtocol.Compare(nodeVersion, RecommendedNodeVersion) < 0;

    public string RefusalDetail(int protocolVersion) =>
        $"This manager accepts node protocol versions {string.Join(" and ", NodeProtocol.Accepted)}; this node speaks {protocolVersion}. " +
        $"Upgrade the node (node version {RecommendedNodeVersion} is recommended); it keeps running its agents meanwhile.";
}
