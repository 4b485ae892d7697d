using System.Diagnostics;

namespace Orchestrator.Bench.Hosting;

// A real redis-server on a free port in a temp dir, configured as production runs it (append-only).
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port, string directory)
    {
        _process = process;
        Port = port;
        Directory = directory;
    }

    public int Port { get; }
    public string Directory { get; }
    public int Pid => _process.Id;
    public string Url => $"redis://127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync(string parentDirectory)
    {
        var port = FreePort.Next();
        var directory = System.IO.Directory.CreateDirectory(Path.Combine(parentDirectory, $"redis-{port}")).FullName;
        var start = new ProcessStartInfo("redis-server") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var argument in new[]
                 {
                     "--port", port.ToString(), "--bind", "127.0.0.1", "--dir", directory, "--save", "",
                     "--appendonly", "yes", "--appendfsync", "everysec", "--logfile", Path.Combine(directory, "redis.log"),
                     "--maxclients", "10000",
                 })
            start.ArgumentList.Add(argument);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start redis-server");
        ChildProcesses.Track(process);
        var redis = new RedisServer(process, port, directory);
        var started = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                if ((await redis.CliAsync("PING")).Trim() == "PONG") return redis;
            }
            catch (InvalidOperationException) when (started.Elapsed < TimeSpan.FromSeconds(10) && !process.HasExited)
            {
            }
            await Task.Delay(50);
        }
    }

    public Task<string> CliAsync(params string[] command) =>
        Shell.RunAsync("redis-cli", ["-p", Port.ToString(), .. command], TimeSpan.FromSeconds(30));

    // INFO <section> as key → value.
    public async Task<Dictionary<string, string>> InfoAsync(string section)
    {
        var text = await CliAsync("INFO", section);
        return text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith('#') && line.Contains(':'))
            .Select(line => line.Split(':', 2))
            .ToDictionary(parts => parts[0], parts => parts[1]);
    }

    public async Task<long> UsedMemoryBytesAsync() => long.Parse((await InfoAsync("memory"))["used_memory"]);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        ChildProcesses.Forget(_process);
        _process.Dispose();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
