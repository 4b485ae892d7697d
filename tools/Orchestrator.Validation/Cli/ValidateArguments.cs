using System.Globalization;

namespace Orchestrator.Validation.Cli;

// Turns the raw option values into settings, naming every bad one.
public static class ValidateArguments
{
    public static ValidationSettings? Bind(string? managerUrl, string[]? orchestratorUrls, string? adminPassword, string? timeout,
        bool keepAgents, string[]? dataDirectories, string? jsonOutput, List<string> errors)
    {
        var manager = Url("--manager-url", managerUrl, errors);
        var orchestrators = (orchestratorUrls ?? []).Select(u => Url("--orchestrator-url", u, errors)).ToList();
        if (orchestrators.Count == 0) errors.Add("--orchestrator-url: give at least one orchestrator cluster's URL");

        if (string.IsNullOrEmpty(adminPassword)) errors.Add("--admin-password (or the ADMIN_PASSWORD environment variable) is required");

        var limit = ValidationSettings.DefaultTimeout;
        if (timeout is not null)
        {
            if (double.TryParse(timeout, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and <= 3600)
                limit = TimeSpan.FromSeconds(seconds);
            else errors.Add($"--timeout: '{timeout}' is not a number of seconds between 0 and 3600");
        }

        var dirs = dataDirectories ?? [];
        if (dirs.Length > 0 && dirs.Length != orchestrators.Count)
            errors.Add($"--data-dir: give one per --orchestrator-url ({orchestrators.Count}), got {dirs.Length}");

        if (jsonOutput is not null && Path.GetDirectoryName(Path.GetFullPath(jsonOutput)) is { } folder && !Directory.Exists(folder))
            errors.Add($"--json-output: directory '{folder}' does not exist");

        if (errors.Count > 0) return null;
        var targets = orchestrators.Select((url, i) => new OrchestratorTarget(i + 1, url!, dirs.Length > 0 ? dirs[i] : null)).ToList();
        return new ValidationSettings(manager!, targets, adminPassword!, limit, keepAgents);
    }

    private static Uri? Url(string option, string? value, List<string> errors)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Host.Length > 0) return url;
        errors.Add($"{option}: '{value}' is not an absolute http(s) URL such as http://host:8000");
        return null;
    }
}
