using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Orchestrator.Testing.Hosting;

// A real redis-server of its own on a free loopback port and in its own directory, started through the one
// launcher. Stop() then StartAsync() again keeps the port and the data: a Redis restart as clients see it.
//
//   await using var redis = await RedisHost.StartAsync();                  // or new RedisHost(options) + StartAsync()
//   builder.UseSetting("ConnectionStrings:redis", redis.ConnectionString);
public sealed class RedisHost(RedisHostOptions? options = null) : IAsyncDisposable
{
    private readonly RedisHostOptions _options = Validate(options ?? new RedisHostOptions());
    private ChildProcess? _process;

    public int Port { get; } = options?.Port ?? FreePort.Next();

    public string Directory { get; } = CreateDirectory(options?.ParentDirectory);

    // StackExchange.Redis form, as Aspire's ConnectionStrings:redis gives it.
    public string ConnectionString => _options.Password is null ? $"127.0.0.1:{Port}" : $"127.0.0.1:{Port},password={_options.Password}";

    // The seed's REDIS_URL form.
    public string Url => _options.Password is null ? $"redis://127.0.0.1:{Port}" : $"redis://:{_options.Password}@127.0.0.1:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    public int Pid => _process?.Pid ?? throw new InvalidOperationException("redis-server is not running");

    public string Log => _process?.Log ?? "";

    public static async Task<RedisHost> StartAsync(RedisHostOptions? options = null)
    {
        var host = new RedisHost(options);
        try
        {
            await host.StartAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    public async Task StartAsync()
    {
        if (IsRunning) return;
        if (_process is not null) await _process.DisposeAsync();
        _process = ChildProcess.Start(new ProcessSpec("redis-server", Arguments()) { Name = $"redis-server:{Port}" });
        try
        {
            await Deadline.UntilAsync(async () =>
            {
                _process.ThrowIfExited();
                return await PingAsync();
            }, _options.StartupDeadline, $"redis-server on port {Port} to answer PING");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "\n" + _process.Tail(), ex);
        }
    }

    // Kills the server at once, as a crash or network cut would look to its clients.
    public void Stop()
    {
        if (_process is null) return;
        _process.Kill();
        _process.DisposeAsync().AsTask().GetAwaiter().GetResult();
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
            var command = _options.Password is null ? Resp("PING") : Resp("AUTH", _options.Password) + Resp("PING");
            await stream.WriteAsync(Encoding.UTF8.GetBytes(command), timeout.Token);
            var reply = new StringBuilder();
            var buffer = new byte[64];
            while (!reply.ToString().Contains("PONG", StringComparison.Ordinal) && !reply.ToString().Contains('-'))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0) break;
                reply.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
            return reply.ToString().EndsWith("+PONG\r\n", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

    // redis-cli against this server; returns what it printed.
    public Task<string> CliAsync(params string[] command)
    {
        string[] connection = _options.Password is null ? ["-p", Port.ToString(CultureInfo.InvariantCulture)]
            : ["-p", Port.ToString(CultureInfo.InvariantCulture), "--no-auth-warning", "-a", _options.Password];
        return ChildProcess.OutputOfAsync("redis-cli", [.. connection, .. command], TimeSpan.FromSeconds(30));
    }

    // INFO <section> as key -> value.
    public async Task<Dictionary<string, string>> InfoAsync(string section)
    {
        var text = await CliAsync("INFO", section);
        return text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith('#') && line.Contains(':'))
            .Select(line => line.Split(':', 2))
            .ToDictionary(parts => parts[0], parts => parts[1]);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null) await _process.DisposeAsync();
        _process = null;
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }

    private List<string> Arguments()
    {
        var arguments = new List<string>
        {
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", Directory,
            "--save", "", "--appendonly", _options.AppendOnly ? "yes" : "no", "--appendfsync", _options.AppendFsync,
        };
        if (_options.Password is null) arguments.AddRange(["--protected-mode", "no"]);
        else arguments.AddRange(["--requirepass", _options.Password]);
        if (_options.MaxClients is { } maxClients) arguments.AddRange(["--maxclients", maxClients.ToString(CultureInfo.InvariantCulture)]);
        if (_options.LogToFile) arguments.AddRange(["--logfile", Path.Combine(Directory, "redis.log")]);
        if (_options.ClusterNode) arguments.AddRange(["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]);
        if (_options.ClusterNodeTimeout is { } timeout)
            arguments.AddRange(["--cluster-node-timeout", ((long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture)]);
        return arguments;
    }

    private static RedisHostOptions Validate(RedisHostOptions options) => options.Mode == RedisMode.Single ? options
        : throw new NotSupportedException($"RedisMode.{options.Mode} is not implemented yet");

    private static string CreateDirectory(string? parent) => parent is null
        ? System.IO.Directory.CreateTempSubdirectory("orchestrator-redis-").FullName
        : System.IO.Directory.CreateDirectory(Path.Combine(parent, $"redis-{Guid.NewGuid():N}"[..14])).FullName;

    private static string Resp(params string[] parts) =>
        $"*{parts.Length}\r\n" + string.Concat(parts.Select(p => $"${Encoding.UTF8.GetByteCount(p)}\r\n{p}\r\n"));
}
