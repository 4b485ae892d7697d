using System.Net;
using Orchestrator.Protocol;

namespace Orchestrator.Validation.Phases;

// "Your infrastructure deployed": the manager answers on its own, its Redis is reachable, and its API
// is closed to anonymous callers but open to the admin password.
public sealed class CentralManagerIsolatedPhase : IValidationPhase
{
    public string Name => "central_manager_isolated";

    public async Task RunAsync(PhaseContext context, PhaseReport report, CancellationToken ct)
    {
        var manager = context.Manager;
        var health = await manager.HealthAsync(ct);
        report.Check(health.Status == "healthy", $"{manager.Url("/health")}: status {health.Status}, expected healthy ({Checks(health)})");
        var redis = health.Checks?.Where(c => c.Key.Contains("redis", StringComparison.OrdinalIgnoreCase)).Select(c => (c.Key, c.Value.Status)).FirstOrDefault();
        if (report.Check(redis is { Key: not null }, $"{manager.Url("/health")}: no Redis check ({Checks(health)})"))
        {
            report.Check(redis!.Value.Status == "healthy", $"{manager.Url("/health")}: Redis check {redis.Value.Key} is {redis.Value.Status}");
            report.Note($"/health: {health.Status}, Redis check '{redis.Value.Key}' {redis.Value.Status}");
        }

        foreach (var path in new[] { ManagerRoutes.Containers, ManagerRoutes.Status })
        {
            var anonymous = await manager.GetAnonymousAsync(path, ct);
            report.Check(anonymous.Status == HttpStatusCode.Unauthorized,
                $"{anonymous.Call} without a token: {(int)anonymous.Status}, expected 401 (the API must require auth)");
        }

        await manager.LoginAsync(ct);
        await manager.StatusAsync(ct); // throws, naming the call and the problem, unless the admin token reads it
        report.Note("anonymous calls get 401; ADMIN_PASSWORD gives an admin token that reads /api/v1/cluster/status");
    }

    private static string Checks(HealthResponse health) =>
        health.Checks is { Count: > 0 } checks ? string.Join(", ", checks.Select(c => $"{c.Key}: {c.Value.Status}")) : "no checks listed";
}
