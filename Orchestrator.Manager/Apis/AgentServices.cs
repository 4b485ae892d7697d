using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Containers;
using Orchestrator.Manager.Deployments;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Scheduling;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Apis;

// What the agent handlers need, bound with [AsParameters] (as eShop's CatalogServices).
public sealed class AgentServices(AgentStore agents, ContainerStore containers, DeployService deployments, AuditLog audit, EventLog events,
    TenantMetrics tenantMetrics)
{
    public AgentStore Agents { get; } = agents;
    public ContainerStore Containers { get; } = containers;
    public DeployService Deployments { get; } = deployments;
    public AuditLog Audit { get; } = audit;
    public EventLog Events { get; } = events;
    public TenantMetrics TenantMetrics { get; } = tenantMetrics;
}
