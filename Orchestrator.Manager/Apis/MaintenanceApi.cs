using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Contracts;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

// A tenant's maintenance windows (issue 27): readers of the tenant see them, writers of the tenant (its operators,
// the admin) set them, audited. Another tenant's windows are answered 404, so tenant ids cannot be probed.
public static class MaintenanceApi
{
    public static IEndpointRouteBuilder MapMaintenanceApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup(string.Empty).WithTags("Tenants").RequireAuthorization(Policies.Reader)
            .MapGet(ManagerRoutes.TenantMaintenance, GetAsync).WithSummary("A tenant's weekly maintenance windows, and whether one is open now");
        app.MapGroup(string.Empty).WithTags("Tenants").RequireAuthorization(Policies.Writer)
            .MapPut(ManagerRoutes.TenantMaintenance, SetAsync).WithSummary("Set a tenant's weekly maintenance windows in a time zone (empty: always open)");
        return app;
    }

    public static async Task<Results<Ok<MaintenanceView>, ProblemHttpResult>> GetAsync(
        string id, MaintenanceStore store, MaintenanceWindows windows, CallerScope caller)
    {
        if (!caller.Sees(id)) return UnknownTenant(id);
        var stored = await store.ReadAsync(id);
        return TypedResults.Ok(View(id, stored, await windows.IsOpenAsync(id)));
    }

    public static async Task<Results<Ok<MaintenanceView>, ValidationProblem, ProblemHttpResult>> SetAsync(
        string id, MaintenanceRequest request, MaintenanceStore store, MaintenanceWindows windows, CallerScope caller, AuditLog audit, TimeProvider time)
    {
        if (!caller.Sees(id))
        {
            await audit.RecordAsync(caller, AuditActions.MaintenanceChange, id, AuditOutcomes.NotFound, caller.DefaultTenant);
            return UnknownTenant(id);
        }
        var (_, errors) = MaintenanceSchedule.From(request);
        if (!RequestValidation.IsIdentifier(id)) errors["tenant_id"] = ["tenant_id must be 1-128 letters, digits, '.', '_' or '-'."];
        if (errors.Count > 0)
        {
            await audit.RecordAsync(caller, AuditActions.MaintenanceChange, id, AuditOutcomes.Refused, id);
            return TypedResults.ValidationProblem(errors);
        }
        // Stored as given (trimmed, days lower-cased), so GET answers what PUT sent.
        var stored = new StoredMaintenance(request.TimeZone!.Trim(),
            request.Windows!.Select(w => new MaintenanceWindow(w.Days!.Select(d => d.Trim().ToLowerInvariant()).Distinct().ToList(), w.Start, w.DurationMinutes)).ToList(),
            time.GetUtcNow());
        await store.SetAsync(id, stored);
        await audit.RecordAsync(caller, AuditActions.MaintenanceChange, id, AuditOutcomes.Success, id);
        return TypedResults.Ok(View(id, stored, await windows.IsOpenAsync(id)));
    }

    private static MaintenanceView View(string tenant, StoredMaintenance? stored, bool open) =>
        new(tenant, stored?.TimeZone ?? "UTC", stored?.Windows ?? [], open, stored?.UpdatedAt);

    private static ProblemHttpResult UnknownTenant(string id) => ApiProblems.Problem(ProblemTypes.UnknownTenant, $"No tenant '{id}'.",
        new Dictionary<string, object?> { ["tenant"] = id });
}
