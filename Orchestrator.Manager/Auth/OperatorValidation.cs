using Orchestrator.Manager.Contracts;

namespace Orchestrator.Manager.Auth;

public static class OperatorValidation
{
    public const int MaxNameLength = 64;
    public const int MaxTenants = 64;

    // "admin" and "cluster" are the seed's login names: an operator under either could never log in.
    private static readonly string[] Reserved = [TokenRequest.Admin, TokenRequest.Cluster];

    public static bool IsName(string? name) =>
        name is { Length: >= 1 and <= MaxNameLength } && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '.' or '_' or '-');

    // Every error keyed by its snake_case field; the request trimmed of nothing (names are exact).
    public static Dictionary<string, string[]> Validate(this CreateOperatorRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(request.Name)) errors["name"] = ["name is required."];
        else if (!IsName(request.Name)) errors["name"] = [$"name must be 1-{MaxNameLength} characters of a-z, 0-9, '.', '_' or '-'."];
        else if (Reserved.Contains(request.Name)) errors["name"] = [$"name '{request.Name}' is reserved for the seed's logins."];
        if (request.Role is null) errors["role"] = ["role is required."];
        else if (!OperatorRoles.All.Contains(request.Role)) errors["role"] = [$"role must be one of {string.Join(", ", OperatorRoles.All)}."];
        if (request.Tenants is not { Count: > 0 }) errors["tenants"] = ["tenants must list at least one orchestrator_id."];
        else if (request.Tenants.Count > MaxTenants || request.Tenants.Any(t => !RequestValidation.IsIdentifier(t)))
            errors["tenants"] = [$"tenants must be at most {MaxTenants} orchestrator_ids of 1-128 letters, digits, '.', '_' or '-'."];
        return errors;
    }
}
