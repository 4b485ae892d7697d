using Orchestrator.Cli.Cli;

// Exit codes: 0 success, 1 the manager refused or could not be reached, 2 bad usage.
return await CliApp.RunAsync(args, Console.In, Console.Out, Console.Error);
