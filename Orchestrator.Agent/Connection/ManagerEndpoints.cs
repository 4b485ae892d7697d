using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Connection;

// The manager URLs of CENTRAL_MANAGER_URL (issue 27, as Octopus Tentacle's several server URLs): tried in order,
// with sticky success. Every call starts at the URL that last answered; when it cannot be reached the call goes on
// to the others in the order given, and the first that answers becomes the one later calls start at. Shared by
// the node's clients (calls, long-poll, logs), so they fail over together.
public sealed class ManagerEndpoints
{
    private readonly ILogger<ManagerEndpoints> _logger;
    private int _current;

    public ManagerEndpoints(IOptions<ManagerConnectionOptions> options, ManagerEndpointResolver resolver, ILogger<ManagerEndpoints> logger)
    {
        _logger = logger;
        All = options.Value.Urls.Select(url => resolver.Resolve(new Uri(url.EndsWith('/') ? url : url + "/"))).ToList();
    }

    public IReadOnlyList<Uri> All { get; }

    // What HttpClient.BaseAddress is: the first URL. ManagerFailoverHandler moves each request to the one in use.
    public Uri Primary => All.Count > 0 ? All[0] : throw new InvalidOperationException("CENTRAL_MANAGER_URL is not set.");

    public Uri Current => All[Volatile.Read(ref _current)];

    // The current URL first, then the others in the order given.
    public IEnumerable<int> Order()
    {
        var current = Volatile.Read(ref _current);
        yield return current;
        for (var i = 0; i < All.Count; i++)
            if (i != current) yield return i;
    }

    public void Answered(int index)
    {
        var before = Interlocked.Exchange(ref _current, index);
        if (before != index)
            _logger.LogWarning("Manager {Before} could not be reached; using {After} (CENTRAL_MANAGER_URL entry {Index} of {Count})",
                All[before], All[index], index + 1, All.Count);
    }
}
