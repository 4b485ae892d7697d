using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Problems;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

// The audit log, newest first and paged: the admin reads every entry, scoped callers their tenants' entries.
public static partial class AuditApi
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 1000;

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup(string.Empty).WithTags("Audit").RequireAuthorization(Policies.Reader)
            .MapGet(ManagerRoutes.Audit, ReadAsync).WithSummary("Audit entries, newest first (?tenant=, ?actor=, ?action=, ?since=, ?limit=, ?cursor=)");
        return app;
    }

    public static async Task<Results<Ok<AuditPage>, ValidationProblem, ProblemHttpResult>> ReadAsync(
        string? tenant, string? actor, string? action, string? since, int? limit, string? cursor, CallerScope caller, AuditLog audit)
    {
        var errors = new Dictionary<string, string[]>();
        if (tenant is { Length: 0 or > 128 }) errors["tenant"] = ["tenant must be 1-128 characters."];
        if (actor is { Length: 0 or > 300 }) errors["actor"] = ["actor must be 1-300 characters."];
        if (action is not null && !AuditActions.All.Contains(action)) errors["action"] = [$"action must be one of {string.Join(", ", AuditActions.All)}."];
        DateTimeOffset? from = null;
        if (since is not null)
        {
            if (DateTimeOffset.TryParse(since, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) from = parsed;
            else errors["since"] = ["since must be an ISO 8601 time, such as 2026-12-01T17:00:00Z."];
        }
        if (limit is < 1 or > MaxPageSize) errors["limit"] = [$"limit must be between 1 and {MaxPageSize}."];
        if (cursor is not null && !StreamId().IsMatch(cursor)) errors["cursor"] = ["cursor must be a next_cursor this API returned."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
        // Another tenant is answered as unknown, as its objects are.
        if (tenant is not null && !caller.Sees(tenant))
            return ApiProblems.Problem(ProblemTypes.UnknownTenant, $"No tenant '{tenant}'.", new Dictionary<string, object?> { ["field"] = "tenant", ["tenant"] = tenant });

        var page = await audit.ReadAsync(new AuditFilter(caller.Tenants, tenant, actor, action, from), limit ?? DefaultPageSize, cursor);
        return TypedResults.Ok(page);
    }

    [GeneratedRegex("^[0-9]{1,20}-[0-9]{1,20}$")]
    private static partial Regex StreamId();
}
