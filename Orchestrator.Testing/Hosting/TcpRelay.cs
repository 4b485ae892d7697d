using System.Net;
using System.Net.Sockets;

namespace Orchestrator.Testing.Hosting;

// A loopback TCP forwarder standing for a network path. It forwards each connection to the first
// backend port that accepts (so several managers sit "behind one address"), and Cut() makes the path
// go dark while both ends stay alive: open connections are reset and new ones refused until Restore().
public sealed class TcpRelay : IAsyncDisposable
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(1);

    private readonly Func<IReadOnlyList<int>> _backends;
    private readonly HashSet<TcpClient> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource? _stop;

    public TcpRelay(Func<IReadOnlyList<int>> backends, int? port = null)
    {
        _backends = backends;
        Port = port ?? FreePort.Next();
    }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}";

    public bool IsCut => _listener is null;

    public void Start()
    {
        if (_listener is not null) return;
        var listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        _listener = listener;
        _stop = new CancellationTokenSource();
        _ = AcceptLoopAsync(listener, _stop.Token);
    }

    public void Cut()
    {
        _stop?.Cancel();
        _listener?.Stop();
        _listener = null;
        lock (_open)
        {
            foreach (var client in _open) Reset(client);
            _open.Clear();
        }
    }

    public void Restore() => Start();

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }

    private async Task AcceptLoopAsync(TcpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try { inbound = await listener.AcceptTcpClientAsync(stop); }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            _ = RelayAsync(inbound, stop);
        }
    }

    private async Task RelayAsync(TcpClient inbound, CancellationToken stop)
    {
        var outbound = await ConnectToFirstBackendAsync(stop);
        if (outbound is null)
        {
            Reset(inbound);
            return;
        }
        lock (_open)
        {
            _open.Add(inbound);
            _open.Add(outbound);
        }
        try
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var up = PumpAsync(inbound, outbound, either.Token);
            var down = PumpAsync(outbound, inbound, either.Token);
            await Task.WhenAny(up, down);
            await either.CancelAsync();
        }
        finally
        {
            lock (_open)
            {
                _open.Remove(inbound);
                _open.Remove(outbound);
            }
            inbound.Dispose();
            outbound.Dispose();
        }
    }

    private async Task<TcpClient?> ConnectToFirstBackendAsync(CancellationToken stop)
    {
        foreach (var port in _backends())
        {
            var client = new TcpClient();
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
                timeout.CancelAfter(ConnectTimeout);
                await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
                return client;
            }
            catch (Exception ex) when (ex is SocketException or OperationCanceledException)
            {
                client.Dispose();
            }
        }
        return null;
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to, CancellationToken stop)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            var source = from.GetStream();
            var target = to.GetStream();
            int read;
            while ((read = await source.ReadAsync(buffer, stop)) > 0) await target.WriteAsync(buffer.AsMemory(0, read), stop);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }

    // RST rather than FIN: the peer sees a broken path, not a polite close.
    private static void Reset(TcpClient client)
    {
        try
        {
            client.Client.LingerState = new LingerOption(true, 0);
            client.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }
}
