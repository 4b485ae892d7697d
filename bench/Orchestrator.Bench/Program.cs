using System.CommandLine;
using Orchestrator.Bench;
using Orchestrator.Bench.Options;

// Ctrl+C cancels the run; the scenarios then stop the processes they started, which takes a few seconds.
return await BenchCommand.Create(BenchRunner.RunAsync).Parse(args)
    .InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(20) });
