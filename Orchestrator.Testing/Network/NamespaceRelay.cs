using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Orchestrator.Testing.Network;

// A userspace TCP relay between two namespaces (or within one): it accepts in `listenIn` on `listenOn` and
// dials `target` from `dialFrom`, shaping the bytes by its WanProfile, which a test may change at any time.
// The lab uses it twice: as the WAN relay on each customer's path to the manager (listening on the customer's
// loopback, where the customer's firewall redirects the node's connections, and dialling out through the
// router with a mark so it is not redirected to itself), and as an operator's tunnel from the vendor's
// loopback to a node's local API that opens its connections inside the customer's namespace.
public sealed class NamespaceRelay : IAsyncDisposable
{
    private readonly NetworkNamespace _dialFrom;
    private readonly IPEndPoint _target;
    private readonly int? _mark;
    private readonly HashSet<Socket> _open = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Socket _listener;
    private long _connections;
    private long _resets;
    private long _bytesUp;
    private long _bytesDropped;

    public NamespaceRelay(NetworkNamespace listenIn, IPEndPoint listenOn, NetworkNamespace dialFrom, IPEndPoint target,
        WanProfile profile, int? mark = null)
    {
        _dialFrom = dialFrom;
        _target = target;
        _mark = mark;
        Profile = profile;
        _listener = listenIn.CreateSocket();
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(listenOn);
        _listener.Listen(512);
        Endpoint = (IPEndPoint)_listener.LocalEndPoint!;
        _ = AcceptLoopAsync();
    }

    public IPEndPoint Endpoint { get; }

    public WanProfile Profile { get; set; }

    public long Connections => Interlocked.Read(ref _connections);

    public long Resets => Interlocked.Read(ref _resets);

    // Bytes forwarded from the customer towards the target, and bytes of answers swallowed by DropResponses.
    public long BytesUp => Interlocked.Read(ref _bytesUp);

    public long BytesDropped => Interlocked.Read(ref _bytesDropped);

    public ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Dispose();
        lock (_open)
        {
            foreach (var socket in _open) Reset(socket);
            _open.Clear();
        }
        return ValueTask.CompletedTask;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket inbound;
            try { inbound = await _listener.AcceptAsync(_stop.Token); }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            Interlocked.Increment(ref _connections);
            _ = RelayAsync(inbound);
        }
    }

    private async Task RelayAsync(Socket inbound)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        Socket? outbound = null;
        try
        {
            inbound.NoDelay = true;
            Track(inbound);
            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.Token))
            {
                // A dead path (link down) shows up as a connect that never completes, as TCP would show it.
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                outbound = await _dialFrom.ConnectAsync(_target, timeout.Token, _mark);
            }
            Track(outbound);
            var profile = Profile;
            if (profile.ResetFraction > 0 && Random.Shared.NextDouble() < profile.ResetFraction)
                _ = ResetLaterAsync(inbound, outbound, profile.ResetWithin * Random.Shared.NextDouble(), connection.Token);
            var up = PumpAsync(inbound, outbound, upstream: true, connection.Token);
            var down = PumpAsync(outbound, inbound, upstream: false, connection.Token);
            await Task.WhenAny(up, down);
            await connection.CancelAsync();
            await Task.WhenAll(up, down);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            Reset(inbound);
        }
        finally
        {
            Untrack(inbound);
            inbound.Dispose();
            if (outbound is not null)
            {
                Untrack(outbound);
                outbound.Dispose();
            }
        }
    }

    // Reads chunks from one side and hands them to a writer that delivers each after its own delay, never
    // before the one read earlier: latency without reordering and without throttling.
    private async Task PumpAsync(Socket from, Socket to, bool upstream, CancellationToken cancellationToken)
    {
        var queue = Channel.CreateUnbounded<(long DueTicks, byte[] Bytes)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writer = DeliverAsync(queue.Reader, to, cancellationToken);
        var buffer = new byte[16 * 1024];
        var lastDue = 0L;
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken)) > 0)
            {
                var profile = Profile;
                if (!upstream && profile.DropResponses)
                {
                    Interlocked.Add(ref _bytesDropped, read);
                    continue;
                }
                if (upstream) Interlocked.Add(ref _bytesUp, read);
                var delay = profile.Latency + profile.Jitter * (2 * Random.Shared.NextDouble() - 1);
                var due = Math.Max(lastDue, Environment.TickCount64 + (long)Math.Max(0, delay.TotalMilliseconds));
                lastDue = due;
                queue.Writer.TryWrite((due, buffer.AsSpan(0, read).ToArray()));
            }
            // The sender finished: pass the FIN on once everything before it is delivered.
            queue.Writer.TryComplete();
            await writer;
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException or ChannelClosedException)
        {
            queue.Writer.TryComplete();
        }
    }

    private static async Task DeliverAsync(ChannelReader<(long DueTicks, byte[] Bytes)> reader, Socket to, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (due, bytes) in reader.ReadAllAsync(cancellationToken))
            {
                var wait = due - Environment.TickCount64;
                if (wait > 0) await Task.Delay(TimeSpan.FromMilliseconds(wait), cancellationToken);
                await to.SendAsync(bytes, SocketFlags.None, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task ResetLaterAsync(Socket inbound, Socket outbound, TimeSpan after, CancellationToken cancellationToken)
    {
        try { await Task.Delay(after, cancellationToken); }
        catch (OperationCanceledException) { return; }
        Interlocked.Increment(ref _resets);
        Reset(inbound);
        Reset(outbound);
    }

    private void Track(Socket socket)
    {
        lock (_open) _open.Add(socket);
    }

    private void Untrack(Socket socket)
    {
        lock (_open) _open.Remove(socket);
    }

    // RST rather than FIN: the peer sees a broken connection, not a polite close.
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
        }
    }
}
