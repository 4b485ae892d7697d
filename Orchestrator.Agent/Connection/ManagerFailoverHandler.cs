using Polly.Timeout;

namespace Orchestrator.Agent.Connection;

// Sends each request to the manager URL in use and, when that one cannot be reached (no connection, TLS refused,
// no answer in time), to the next (ManagerEndpoints). An answer of any status counts as reached: a 4xx or 5xx is
// the manager's answer, which another replica sharing its Redis would give too. Outside the per-call timeout, so
// each URL gets a whole one. Each URL went through the same TLS handler and validation (ManagerConnectionOptionsValidator).
public sealed class ManagerFailoverHandler(ManagerEndpoints endpoints) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (endpoints.All.Count == 1) return await base.SendAsync(request, cancellationToken);
        var path = Relative(request.RequestUri!);
        Exception? last = null;
        foreach (var index in endpoints.Order())
        {
            request.RequestUri = new Uri(endpoints.All[index], path);
            try
            {
                var response = await base.SendAsync(request, cancellationToken);
                endpoints.Answered(index);
                return response;
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
            {
                last = ex;
            }
        }
        throw last!;
    }

    // The request's path and query below the base address the client was built with (the first URL), so it can be
    // put below another URL, whatever path prefix each has.
    private string Relative(Uri uri)
    {
        foreach (var endpoint in endpoints.All)
            if (uri.AbsoluteUri.StartsWith(endpoint.AbsoluteUri, StringComparison.Ordinal))
                return uri.AbsoluteUri[endpoint.AbsoluteUri.Length..];
        return uri.PathAndQuery.TrimStart('/');
    }
}
