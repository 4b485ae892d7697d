using Microsoft.Extensions.Options;

namespace Orchestrator.Agent.Extensions;

// A bad setting stops the node with one clear line per problem on stderr and exit code 1, no stack trace.
public static class StartupValidation
{
    public static int RunOrExit(this WebApplication app)
    {
        try
        {
            app.Services.GetRequiredService<IStartupValidator>().Validate();
        }
        catch (Exception ex) when (Problems(ex) is { Count: > 0 } problems)
        {
            foreach (var problem in problems) Console.Error.WriteLine($"Invalid setting: {problem}");
            return 1;
        }
        app.Run();
        return 0;
    }

    public static List<string> Problems(Exception exception) => exception switch
    {
        OptionsValidationException validation => [.. validation.Failures.SelectMany(f => f.Split("; ", StringSplitOptions.RemoveEmptyEntries))],
        AggregateException aggregate => [.. aggregate.InnerExceptions.SelectMany(Problems)],
        // A configuration value that cannot be converted (e.g. Node__Port=abc) surfaces from the binder.
        InvalidOperationException binding when binding.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase) => [binding.Message],
        _ => [],
    };
}
