using Microsoft.Extensions.Options;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Secrets;

namespace Orchestrator.Manager.Apis;

// What the long-poll handler needs, bound with [AsParameters] (as eShop's CatalogServices).
public sealed class AssignmentServices(AgentStore agents, AssignmentNotifier notifier, IOptions<SchedulingOptions> options,
    TimeProvider time, IHostApplicationLifetime lifetime, SecretDelivery secrets)
{
    public AgentStore Agents { get; } = agents;
    public AssignmentNotifier Notifier { get; } = notifier;
    public IOptions<SchedulingOptions> Options { get; } = options;
    public TimeProvider Time { get; } = time;
    public IHostApplicationLifetime Lifetime { get; } = lifetime;
    public SecretDelivery Secrets { get; } = secrets;
}
