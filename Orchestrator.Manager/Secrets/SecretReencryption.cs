using System.Diagnostics;

namespace Orchestrator.Manager.Secrets;

// After MASTER_SECRET_KEY is rotated (the old one given as MASTER_SECRET_KEY_PREVIOUS), every replica moves the
// secrets still sealed under the old key to the new one once at start. The pass is a compare-and-set per
// secret, so replicas starting together, or a PUT meanwhile, cannot lose a value; once it logs zero left, the
// previous key can be dropped.
public sealed class SecretReencryption(SecretStore store, ILogger<SecretReencryption> logger) : BackgroundService
{
    public static readonly ActivitySource Source = new("Orchestrator.Manager.Secrets");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var activity = Source.StartActivity("secrets.reencrypt");
        try
        {
            var (moved, unopenable) = await store.ReencryptAsync(stoppingToken);
            if (moved > 0) logger.LogInformation("Re-encrypted {Count} secrets under the current MASTER_SECRET_KEY", moved);
            if (unopenable.Count > 0)
                logger.LogError("{Count} secrets open under neither MASTER_SECRET_KEY nor MASTER_SECRET_KEY_PREVIOUS: {Secrets}; " +
                    "give the key they were sealed under as MASTER_SECRET_KEY_PREVIOUS", unopenable.Count, string.Join(", ", unopenable));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // Redis not reachable at start: the next start tries again; values under the previous key still open meanwhile.
            logger.LogWarning(ex, "Secret re-encryption did not finish");
        }
    }
}
