using Microsoft.Extensions.Options;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Extensions;

public static class StartupSettings
{
    // Resolves the options before the host starts, so a bad setting ends the process with one line
    // on stderr naming it (and exit code 1) instead of a hosting stack trace.
    public static bool HasValidSettings(this WebApplication app)
    {
        try
        {
            _ = app.Services.GetRequiredService<IOptions<ManagerOptions>>().Value;
            return true;
        }
        catch (OptionsValidationException ex)
        {
            Console.Error.WriteLine("Invalid manager settings: " + string.Join(" ", ex.Failures));
        }
        catch (InvalidOperationException ex)
        {
            // The binder's "Failed to convert configuration value at 'Manager:...'" names the key.
            Console.Error.WriteLine("Invalid manager settings: " + ex.Message);
        }
        Environment.ExitCode = 1;
        return false;
    }
}
