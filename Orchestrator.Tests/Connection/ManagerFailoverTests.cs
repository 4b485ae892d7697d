using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;
using Orchestrator.Agent.Connection;

namespace Orchestrator.Tests.Connection;

// Several CENTRAL_MANAGER_URLs (issue 27): tried in order, failing over when one cannot be reached, and sticky: once
// a URL answered, calls start there, even after an earlier URL comes back. Real HTTP on loopback (HttpListener).
[Trait(TestLevel.Name, TestLevel.Api)]
public sealed class ManagerFailoverTests
{
    [Fact]
    public async Task CallsFailOverInOrderAndStayWithTheUrlThatAnsweredUntilItCannotBeReached()
    {
        var (portA, portB) = (FreePort.Next(), FreePort.Next());
        var options = Options.Create(new ManagerConnectionOptions { Url = $"http://127.0.0.1:{portA}/api/, http://127.0.0.1:{portB}/api/" });
        var endpoints = new ManagerEndpoints(options, new ManagerEndpointResolver(new DockerEnvProbe(), NullLogger<ManagerEndpointResolver>.Instance),
            NullLogger<ManagerEndpoints>.Instance);
        using var http = new HttpClient(new ManagerFailoverHandler(endpoints) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = endpoints.Primary };

        // A is down: the call goes on to B, and B becomes the URL in use.
        using (var b = Listener.Start(portB, "b"))
        {
            Assert.Equal("b /api/v1/x?y=1", await http.GetStringAsync("v1/x?y=1"));
            Assert.Equal(endpoints.All[1], endpoints.Current);

            // A is back: calls still start at B (sticky), and A sees none of them.
            using var a = Listener.Start(portA, "a");
            Assert.Equal("b /api/v1/z", await http.GetStringAsync("v1/z"));
            Assert.Equal(0, a.Requests);

            b.Dispose();
            // B is down now: the call fails over to A, in order, and A is the URL in use.
            Assert.Equal("a /api/v1/w", await http.GetStringAsync("v1/w"));
            Assert.Equal(endpoints.All[0], endpoints.Current);
        }

        // Neither answers: the caller gets the last transport failure, as with one URL.
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync("v1/none"));
    }

    // A real HTTP server on loopback answering "<name> <path and query>".
    private sealed class Listener : IDisposable
    {
        private readonly HttpListener _listener = new();
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        public static Listener Start(int port, string name)
        {
            var listener = new Listener();
            listener._listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener._listener.Start();
            _ = listener.ServeAsync(name);
            return listener;
        }

        private async Task ServeAsync(string name)
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await _listener.GetContextAsync(); }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
                Interlocked.Increment(ref _requests);
                var body = System.Text.Encoding.UTF8.GetBytes($"{name} {context.Request.Url!.PathAndQuery}");
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            if (_listener.IsListening) _listener.Stop();
            _listener.Close();
        }
    }
}
