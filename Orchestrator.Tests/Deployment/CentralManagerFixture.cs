using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Deployment;

// The vendor side as docker-compose.central.yml runs it, minus Docker: a real redis-server with a
// password, and the built manager as a process given exactly the compose file's environment (evaluated
// with generated secrets; only the Redis host changes, from the compose network's name to loopback).
public sealed class CentralManagerFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartupDeadline = TimeSpan.FromSeconds(60);

    private readonly RedisServerProcess _redis = new();
    private readonly StringBuilder _log = new();
    private Process? _manager;

    public string AdminPassword { get; } = RandomNumberGenerator.GetHexString(24, lowercase: true);

    public string RedisPassword { get; } = RandomNumberGenerator.GetHexString(32, lowercase: true);

    public int Port { get; } = FreePort.Next();

    public string Url => $"http://127.0.0.1:{Port}";

    public IReadOnlyDictionary<string, string> Environment { get; private set; } = new Dictionary<string, string>();

    public string Log { get { lock (_log) return _log.ToString(); } }

    public async Task InitializeAsync()
    {
        await _redis.StartAsync();
        await RequirePasswordAsync();

        var environment = DeploymentFiles.ManagerEnvironment(new Dictionary<string, string>
        {
            ["REDIS_PASSWORD"] = RedisPassword,
            ["JWT_SECRET"] = RandomNumberGenerator.GetHexString(64),
            ["ADMIN_PASSWORD"] = AdminPassword,
            ["MASTER_SECRET_KEY"] = RandomNumberGenerator.GetHexString(64),
        }).ToDictionary();
        environment["REDIS_URL"] = environment["REDIS_URL"].Replace("@redis:6379", $"@127.0.0.1:{_redis.Port}", StringComparison.Ordinal);
        Environment = environment;

        var dll = RepoPaths.ProjectOutput("Orchestrator.Manager");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { dll },
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment.Clear();
        start.Environment["PATH"] = System.Environment.GetEnvironmentVariable("PATH");
        start.Environment["HOME"] = System.Environment.GetEnvironmentVariable("HOME");
        foreach (var (key, value) in environment) start.Environment[key] = value;
        // What the image adds: its port (here a free one, on loopback) and the Production environment.
        start.Environment["ASPNETCORE_URLS"] = Url;
        _manager = Process.Start(start) ?? throw new InvalidOperationException("the manager did not start");
        _manager.OutputDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _manager.ErrorDataReceived += (_, e) => { lock (_log) _log.AppendLine(e.Data); };
        _manager.BeginOutputReadLine();
        _manager.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await Deadline.UntilAsync(async () =>
            {
                if (_manager.HasExited) throw new InvalidOperationException($"the manager exited with {_manager.ExitCode}:\n{Log}");
                return (await http.GetAsync(Url + "/health")).StatusCode == HttpStatusCode.OK;
            }, StartupDeadline, $"the manager on {Url} to answer /health with 200");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\n" + Log, ex);
        }
    }

    // A Redis outage as the manager sees it: the process is killed at once.
    public void StopRedis() => _redis.Stop();

    // The helper's redis-server has no password; set one the way --requirepass would.
    private async Task RequirePasswordAsync()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, _redis.Port);
        var stream = client.GetStream();
        var command = $"*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n$11\r\nrequirepass\r\n${RedisPassword.Length}\r\n{RedisPassword}\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command));
        var buffer = new byte[64];
        var read = await stream.ReadAsync(buffer);
        var reply = Encoding.ASCII.GetString(buffer, 0, read);
        if (!reply.StartsWith("+OK", StringComparison.Ordinal)) throw new InvalidOperationException("CONFIG SET requirepass failed: " + reply);
    }

    public async Task DisposeAsync()
    {
        if (_manager is { HasExited: false })
        {
            _manager.Kill(entireProcessTree: true);
            await _manager.WaitForExitAsync();
        }
        _manager?.Dispose();
        await _redis.DisposeAsync();
    }

}
