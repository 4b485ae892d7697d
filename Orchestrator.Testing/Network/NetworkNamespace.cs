using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Orchestrator.Testing.Hosting;

namespace Orchestrator.Testing.Network;

// One Linux network namespace of a NetworkLab (`ip netns add`), with the three ways the test host uses it
// without ever touching its own network: commands inside it (`ip netns exec`), processes inside it (the
// one ChildProcess launcher, wrapped), and sockets inside it. A socket belongs to the namespace it was
// created in, so one thread of the test host's, its own, is switched into the namespace (setns) and creates
// the sockets there; the test host's other threads never leave their namespace.
public sealed class NetworkNamespace(string name)
{
    private static readonly TimeSpan CommandDeadline = TimeSpan.FromSeconds(20);

    private readonly Queue<TaskCompletionSource<Socket>> _requests = new();
    private Thread? _factory;
    private bool _closed;

    public string Name { get; } = name;

    // The directory `ip netns exec` bind-mounts over /etc for the processes it starts (hosts file here).
    public string EtcDirectory => Path.Combine("/etc/netns", Name);

    // `ip netns exec <name> <command>`: the command runs inside this namespace, sees /etc/netns/<name>/hosts
    // as /etc/hosts, and keeps the process id (ip execs it), so stopping and killing work as for any child.
    public ProcessSpec Wrap(ProcessSpec spec) =>
        spec with { FileName = "ip", Arguments = ["netns", "exec", Name, spec.FileName, .. spec.Arguments] };

    // A command inside the namespace, to its end; throws naming it unless it exits 0.
    public Task<string> RunAsync(params string[] command) =>
        ChildProcess.OutputOfAsync("ip", ["netns", "exec", Name, .. command], CommandDeadline);

    // An `ip` command against this namespace (`ip -n <name> ...`).
    public Task<string> IpAsync(params string[] arguments) =>
        ChildProcess.OutputOfAsync("ip", ["-n", Name, .. arguments], CommandDeadline);

    // An IPv4 TCP socket that lives in this namespace (binds, listens and connects there).
    public Socket CreateSocket() => CreateSocketAsync().GetAwaiter().GetResult();

    // Sockets come from one thread of this namespace's own, switched into it once: callers never block a
    // thread-pool thread on thread creation, which starved the test host with fifty busy customers.
    public Task<Socket> CreateSocketAsync()
    {
        var request = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_requests)
        {
            if (_closed) throw new ObjectDisposedException(Name);
            _requests.Enqueue(request);
            if (_factory is null)
            {
                _factory = new Thread(ServeSockets) { IsBackground = true, Name = $"sockets in {Name}" };
                _factory.Start();
            }
            Monitor.Pulse(_requests);
        }
        return request.Task;
    }

    // Ends the socket thread: a thread inside a namespace would keep it alive after `ip netns delete`.
    public void Close()
    {
        lock (_requests)
        {
            _closed = true;
            Monitor.PulseAll(_requests);
        }
        _factory?.Join(TimeSpan.FromSeconds(10));
    }

    private void ServeSockets()
    {
        Exception? failure = null;
        try
        {
            using var target = File.OpenHandle(Path.Combine("/var/run/netns", Name));
            if (setns((int)target.DangerousGetHandle(), CloneNewNet) != 0)
                failure = new InvalidOperationException($"setns into {Name} failed: errno {Marshal.GetLastPInvokeError()}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            failure = ex;
        }
        while (true)
        {
            TaskCompletionSource<Socket> request;
            lock (_requests)
            {
                while (_requests.Count == 0 && !_closed) Monitor.Wait(_requests);
                if (_requests.Count == 0) return;
                request = _requests.Dequeue();
            }
            if (failure is not null) request.SetException(new InvalidOperationException($"no socket in namespace {Name}", failure));
            else
            {
                try { request.SetResult(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)); }
                catch (SocketException ex) { request.SetException(ex); }
            }
        }
    }

    // A socket in this namespace connected to endpoint.
    public async Task<Socket> ConnectAsync(IPEndPoint endpoint, CancellationToken cancellationToken, int? mark = null)
    {
        var socket = await CreateSocketAsync();
        try
        {
            socket.NoDelay = true;
            // SO_MARK: lets the namespace's own firewall tell this socket apart (the WAN relay is not redirected to itself).
            if (mark is { } value) socket.SetRawSocketOption(SolSocket, SoMark, BitConverter.GetBytes(value));
            await socket.ConnectAsync(endpoint, cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // An HttpClient whose connections are opened from inside this namespace: what a process there would see.
    // URLs must use addresses, not names (names would resolve through the test host's own resolver).
    public HttpClient CreateHttpClient(TimeSpan? timeout = null) => new(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromSeconds(30),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var address = IPAddress.Parse(context.DnsEndPoint.Host);
            var socket = await ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        },
    }) { Timeout = timeout ?? TimeSpan.FromSeconds(15) };

    public override string ToString() => Name;

    private const int CloneNewNet = 0x40000000;
    private const int SolSocket = 1;
    private const int SoMark = 36;

    [DllImport("libc", SetLastError = true)]
    private static extern int setns(int fd, int nstype);
}
