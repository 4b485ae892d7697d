using System.Reflection;

namespace Orchestrator.Protocol;

// Node versions and the skew policy (issue 27, after Kubernetes' version-skew policy): a node states the
// protocol it speaks (protocol_version) and its build (node_version) on enroll, register and heartbeat. Both are
// optional on the wire so the seed's clients keep working; a node that sends a protocol_version outside
// Accepted is refused at registration with 426 (`Protocol version not accepted`).
public static class NodeProtocol
{
    // This build's protocol. Raise it when the wire changes in a way an older node cannot follow.
    public const int Current = 3;

    // The oldest protocol the manager still accepts: N and N-1.
    public const int Oldest = Current - 1;

    public static IReadOnlyList<int> Accepted { get; } = [Current, Oldest];

    public static bool Accepts(int protocolVersion) => protocolVersion is >= Oldest and <= Current;

    // The build's version as node_version shows it: the informational version without its "+commit" suffix.
    public static string VersionOf(Assembly assembly)
    {
        var informational = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString() ?? "0.0.0";
        return informational.Split('+')[0];
    }

    // Compares node versions by their numeric parts ("1.10.0" > "1.9.2"); a pre-release suffix ("-rc.1") is ignored.
    // Null when either is not a version: an unknown version is never called outdated.
    public static int? Compare(string? left, string? right) =>
        Parse(left) is { } l && Parse(right) is { } r ? l.CompareTo(r) : null;

    private static Version? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var core = value.Trim().TrimStart('v').Split('+', '-')[0];
        var parts = core.Split('.');
        if (parts.Length == 1) core += ".0";
        return Version.TryParse(core, out var version) ? version : null;
    }
}

// GET /api/v1/cluster/versions: the manager's policy, and the caller's visible containers counted by version.
public sealed record ClusterVersionsResponse(
    VersionPolicy Policy,
    IReadOnlyList<NodeVersionCount> Versions,
    int TotalContainers,
    int OutdatedContainers);

// accepted_protocol_versions: what registration accepts (N and N-1); recommended_node_version: the build the
// manager advises outdated nodes to run (inside their tenant's maintenance window).
public sealed record VersionPolicy(int ProtocolVersion, IReadOnlyList<int> AcceptedProtocolVersions, string RecommendedNodeVersion);

// node_version and protocol_version are null for nodes that did not send them (the seed's clients).
public sealed record NodeVersionCount(string? NodeVersion, int? ProtocolVersion, int Count, bool Outdated);
