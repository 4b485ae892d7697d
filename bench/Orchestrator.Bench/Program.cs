using Orchestrator.Bench;
using Orchestrator.Bench.Options;

return await BenchCommand.Create(BenchRunner.RunAsync).Parse(args).InvokeAsync();
