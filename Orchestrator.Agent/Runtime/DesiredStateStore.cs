using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Agent.Configuration;

namespace Orchestrator.Agent.Runtime;

// The local state file under DATA_DIR. Written atomically (temp file, then rename over the old one)
// so a crash mid-write never leaves a torn file behind.
public sealed class DesiredStateStore(IOptions<RuntimeOptions> options, IHostEnvironment environment)
{
    public const string FileName = "desired-state.json";

    public string FilePath { get; } = Path.Combine(Path.GetFullPath(options.Value.DataDirectory, environment.ContentRootPath), FileName);

    public async Task<LocalDesiredState?> LoadAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(FilePath)) return null;
        await using var stream = File.OpenRead(FilePath);
        return await JsonSerializer.DeserializeAsync(stream, RuntimeJsonContext.Default.LocalDesiredState, cancellationToken);
    }

    public async Task SaveAsync(LocalDesiredState state, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var temporary = FilePath + $".{Environment.ProcessId}.tmp";
        await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
        {
            await JsonSerializer.SerializeAsync(stream, state, RuntimeJsonContext.Default.LocalDesiredState, cancellationToken);
        }
        File.Move(temporary, FilePath, overwrite: true);
    }
}
