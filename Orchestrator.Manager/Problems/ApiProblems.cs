using Microsoft.AspNetCore.Http.HttpResults;

namespace Orchestrator.Manager.Problems;

// Every problem the manager answers with is one of Protocol's ProblemTypes: its status and title are the contract.
public static class ApiProblems
{
    public static ProblemHttpResult ContainerNotFound(string id) => Problem(ProblemTypes.UnknownContainer,
        $"No container with container_id '{id}' is registered.", new Dictionary<string, object?> { ["container_id"] = id });

    public static ProblemHttpResult NotYourContainer() => Problem(ProblemTypes.NotYourContainer,
        "A cluster token may only act for the container it was issued for.");

    public static ProblemHttpResult Problem(ProblemType type, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(statusCode: type.Status, title: type.Title, detail: detail, extensions: extensions);

    // The node's credential was revoked or replaced (or its container deleted): 401 whatever token it holds,
    // so it stops acting at once; it must enroll again with a new enrollment token.
    public static ProblemHttpResult CredentialRevoked() => Problem(ProblemTypes.CredentialRevoked,
        "This node's credential was revoked or replaced; enroll again with a new ENROLLMENT_TOKEN.");

    // 429 with Retry-After for failed logins or enrollment guesses; what names them in the detail.
    public static ProblemHttpResult TooManyFailures(HttpResponse response, TimeSpan retryAfter, string what)
    {
        var seconds = RetryAfter.Set(response, retryAfter);
        return Problem(ProblemTypes.TooManyLogins, $"Too many failed {what} from this client; retry in {seconds} seconds.");
    }

    // 429 with Retry-After: a tenant's quota lease (TenantQuotaGate) stayed taken for longer than it may live.
    // field: the quota checked (null when a quota change waited for both); what: "deploys", "enrollments", ...
    public static ProblemHttpResult QuotaBusy(HttpResponse response, string tenant, string? field, string what)
    {
        RetryAfter.Set(response, TimeSpan.FromSeconds(1));
        var extensions = new Dictionary<string, object?> { ["tenant"] = tenant };
        if (field is not null) extensions["field"] = field;
        return Problem(ProblemTypes.TooManyRequests,
            $"Other {what} for tenant '{tenant}' held its {field ?? "quota"} check for too long; retry shortly. Nothing was changed.", extensions);
    }

    // A refusal naming the offending field, for checks that are not plain validation (403 bounds, 409 conflicts).
    public static ProblemHttpResult Field(ProblemType type, string field, string detail) =>
        Problem(type, detail, new Dictionary<string, object?> { ["field"] = field });
}
