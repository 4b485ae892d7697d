using Orchestrator.Manager.Contracts;

namespace Orchestrator.Manager.Secrets;

// Names are identifiers (they appear in agent configs and env names' references); values are non-empty text
// up to 32 KiB, far below the request body limit, so a 400 names the field before the body limit would.
public static class SecretValidation
{
    public const int MaxValueLength = 32 * 1024;

    public static Dictionary<string, string[]> Validate(string tenant, string name, PutSecretRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (!RequestValidation.IsIdentifier(tenant)) errors["tenant_id"] = ["tenant_id must be 1-128 letters, digits, '.', '_' or '-'."];
        if (!IsName(name)) errors["name"] = ["name must be 1-128 letters, digits, '.', '_' or '-'."];
        if (request.Value is null or { Length: 0 }) errors["value"] = ["value is required and may not be empty."];
        else if (request.Value.Length > MaxValueLength) errors["value"] = [$"value may be at most {MaxValueLength} characters."];
        return errors;
    }

    public static bool IsName(string? name) => RequestValidation.IsIdentifier(name);
}
