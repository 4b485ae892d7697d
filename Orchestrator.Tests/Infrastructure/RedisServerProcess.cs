using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orchestrator.Tests.Infrastructure;

// A real redis-server process of a test's own, on a free port, in a temp directory, append-only like
// the deployed one. Stop() then StartAsync() again keeps the port and the data (a Redis restart).
// Use as an xunit class fixture (IAsyncLifetime) or create one per test with `await using`.
// arguments: more redis-server options (e.g. --cluster-enabled yes for one node of a Redis Cluster).
public sealed class RedisServerProcess(IReadOnlyList<string>? arguments = null) : IAsyncLifetime, IAsyncDisposable
{
    public static readonly TimeSpan StartupDeadline = TimeSpan.FromSeconds(20);

    private readonly string _directory = Directory.CreateTempSubdirectory("orchestrator-test-redis-").FullName;
    private Process? _process;

    public int Port { get; } = FreePort.Next();

    // StackExchange.Redis form, as Aspire's ConnectionStrings:redis gives it.
    public string ConnectionString => $"127.0.0.1:{Port}";

    public string Url => $"redis://127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    Task IAsyncLifetime.InitializeAsync() => StartAsync();

    public async Task StartAsync()
    {
        if (IsRunning) return;
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _directory,
                "--appendonly", "yes", "--save", "", "--protected-mode", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments ?? []) start.ArgumentList.Add(argument);
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        // Safety net: a fixture whose cleanup failed must not leave the server running after the test host.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Stop();
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Deadline.UntilAsync(PingAsync, StartupDeadline, $"redis-server on port {Port} to answer PING");
    }

    // Kills the server at once, as a crash or network cut would look to its clients.
    public void Stop()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        _process.Dispose();
        _process = null;
    }

    public async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync(IPAddress.Loopback, Port, timeout.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("*1\r\n$4\r\nPING\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[16];
            var read = await stream.ReadAsync(buffer, timeout.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

}
