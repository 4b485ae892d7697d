using System.Net;

namespace Orchestrator.Bench.Protocol;

// One pooled handler for short calls and one for long-polls (each held open up to `wait` seconds,
// so they must not queue behind heartbeats). No resilience handler: a retry would hide the error
// the benchmark is there to count.
public sealed class BenchHttp : IDisposable
{
    public BenchHttp(Uri baseAddress, int connections, int longPollConnections)
    {
        Calls = new HttpClient(Handler(connections), disposeHandler: true) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        LongPolls = new HttpClient(Handler(longPollConnections), disposeHandler: true) { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
    }

    public HttpClient Calls { get; }
    public HttpClient LongPolls { get; }

    private static SocketsHttpHandler Handler(int connections) => new()
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
    };

    public void Dispose()
    {
        Calls.Dispose();
        LongPolls.Dispose();
    }
}
