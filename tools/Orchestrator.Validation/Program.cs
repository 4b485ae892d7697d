using Orchestrator.Validation.Cli;

// Exit codes: 0 every phase passed, 1 a phase failed, 2 bad arguments.
return await ValidateCommand.RunAsync(args, Console.Out, Console.Error);
