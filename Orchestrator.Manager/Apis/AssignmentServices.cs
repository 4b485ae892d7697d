using Microsoft.Extensions.Options;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Options;

namespace Orchestrator.Manager.Apis;

// What the long-poll handler needs, bound with [AsParameters] (as eShop's CatalogServices).
public sealed class AssignmentServices(AgentStore agents, AssignmentNotifier notifier, IOptions<SchedulingOptions> options,
    TimeProvider time, IHostApplicationLifetime lifetime)
{
    public AgentStore Agents { get; } = agents;
    public AssignmentNotifier Notifier { get; } = notifier;
    public IOptions<SchedulingOptions> Options { get; } = options;
    public TimeProvider Time { get; } = time;
    public IHostApplicationLifetime Lifetime { get; } = lifetime;
}
