using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Secrets;
using Orchestrator.Manager.Scheduling;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Deployments;

// One deploy as an operator asks for it: the request's checks, its Idempotency-Key, the placement, and what a deploy
// leaves behind: the events of a new placement, the audit entry and the tenants' metrics of every attempt. They are
// recorded here and only here, so a placement, a replay and a refusal are each recorded once (issue 28).
public sealed class DeployService(AgentScheduler scheduler, IdempotencyStore idempotency, IOptions<SchedulingOptions> options,
    IOptions<LimitsOptions> limits, AuditLog audit, TenantMetrics tenantMetrics, EventLog events, ImageDigestRequirement digests,
    SecretStore secrets, DeploymentStore deployments, TimeProvider time, ILogger<DeployService> logger)
{
    // draft: a deployment created through /api/v1/deployments (its id, name, version label and strategy); null for
    // the seed's deploy call, whose placement becomes a deployment of its own, revision 1, under the answer's id.
    public async Task<DeployResult> DeployAsync(DeployRequest request, string? idempotencyKey, ClaimsPrincipal user, CallerScope caller,
        DeploymentDraft? draft = null)
    {
        var result = await PlaceAsync(request, idempotencyKey, user, caller, draft);
        if (result is DeployResult.Scheduled { Outcome: DeployOutcome.Placed placed })
        {
            events.Deployed(placed.Response);
            await RecordDeploymentAsync(request, placed.Response, draft);
        }
        var (outcome, target, tenant) = result.Placed is { } response
            ? (AuditOutcomes.Success, response.DeploymentId,
                response.Agents.Select(a => a.OrchestratorId).Distinct().Count() == 1 ? response.Agents[0].OrchestratorId : "")
            : (result is DeployResult.UnknownTenant ? AuditOutcomes.NotFound : AuditOutcomes.Refused, request.AgentType ?? "", caller.DefaultTenant);
        await audit.RecordAsync(caller, draft is null ? AuditActions.Deploy : AuditActions.DeploymentCreate, target, outcome, tenant);
        if (result.Placed is { } done) tenantMetrics.Placed(done.Agents.Select(a => a.OrchestratorId));
        else tenantMetrics.Refused(tenant);
        return result;
    }

    // Validates a deploy body as the deploy call does (fields, tenant, secrets, image digests): the command, or why not.
    public async Task<(DeployCommand? Command, DeployResult? Refusal)> CheckAsync(DeployRequest request, CallerScope caller)
    {
        if (request.Limits(limits.Value) is { Count: > 0 } tooLarge) return (null, new DeployResult.Invalid(tooLarge));
        if (request.ToCommand(options.Value, out var errors) is not { } command) return (null, new DeployResult.Invalid(errors));
        // An operator places only within its tenants; naming another tenant is answered as an unknown one.
        if (command.OrchestratorId is { } pinned && !caller.Sees(pinned)) return (null, new DeployResult.UnknownTenant(pinned));
        command = command with { Tenants = caller.Tenants };
        if (await MissingSecretsAsync(request, command.OrchestratorId) is { Count: > 0 } missing) return (null, new DeployResult.Invalid(missing));
        var image = ContainerAgentConfig.ImageOf(request.AgentConfig);
        if (await digests.RefusingTenantAsync(command, image) is { } refusing)
            return (null, new DeployResult.Invalid(ImageDigestRequirement.Refusal(refusing, image!)));
        return (command, null);
    }

    // More agents for a deployment (a PUT that scales up): the current revision's spec, joined to the deployment.
    public async Task<DeployResult> PlaceMoreAsync(DeploymentRecord record, int count, CallerScope caller)
    {
        var revision = record.Current;
        var request = new DeployRequest(revision.Spec.AgentType, revision.Spec.AgentConfig, record.DeploymentStrategy, count, record.Constraints,
            record.OnClusterLoss, revision.Signature);
        var (command, refusal) = await CheckAsync(request, caller);
        if (command is null) return refusal!;
        var outcome = await scheduler.DeployAsync(command with { DeploymentId = record.Id, Revision = record.Revision });
        if (outcome is DeployOutcome.Placed placed)
        {
            events.Deployed(placed.Response);
            tenantMetrics.Placed(placed.Response.Agents.Select(a => a.OrchestratorId));
        }
        return new DeployResult.Scheduled(outcome);
    }

    private async Task<DeployResult> PlaceAsync(DeployRequest request, string? idempotencyKey, ClaimsPrincipal user, CallerScope caller,
        DeploymentDraft? draft)
    {
        var (checkedCommand, refusal) = await CheckAsync(request, caller);
        if (checkedCommand is not { } command) return refusal!;
        if (draft is not null) command = command with { DeploymentId = draft.Id };
        if (idempotencyKey is { Length: 0 or > 200 })
            return new DeployResult.Invalid(new() { ["Idempotency-Key"] = ["Idempotency-Key must be 1-200 characters."] });
        if (idempotencyKey is null) return new DeployResult.Scheduled(await scheduler.DeployAsync(command));
        idempotencyKey = IdempotencyScope.For(user, idempotencyKey);

        var body = JsonSerializer.Serialize(request, ProtocolJsonContext.Default.DeployRequest);
        var (claim, stored) = await idempotency.ClaimAsync(idempotencyKey, body);
        switch (claim)
        {
            case IdempotencyStore.Claim.Replay:
                return new DeployResult.Replayed(JsonSerializer.Deserialize(stored!, ProtocolJsonContext.Default.DeployResponse)!);
            case IdempotencyStore.Claim.InProgress:
                return new DeployResult.InProgress();
            case IdempotencyStore.Claim.Mismatch:
                return new DeployResult.KeyReused();
        }

        var outcome = await scheduler.DeployAsync(command);
        if (outcome is DeployOutcome.Placed placed)
            await idempotency.CompleteAsync(idempotencyKey, body,
                JsonSerializer.Serialize(placed.Response, ProtocolJsonContext.Default.DeployResponse), options.Value.IdempotencyRetention);
        else
            await idempotency.ReleaseAsync(idempotencyKey);
        return new DeployResult.Scheduled(outcome);
    }

    // Revision 1 of the deployment the placement made; its agents are healthy once seen running (RolloutController).
    private async Task RecordDeploymentAsync(DeployRequest request, DeployResponse placed, DeploymentDraft? draft)
    {
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        var tenants = placed.Agents.Select(a => a.OrchestratorId).Distinct(StringComparer.Ordinal).ToList();
        var record = new DeploymentRecord
        {
            Id = placed.DeploymentId, Name = draft?.Name ?? placed.DeploymentId, Tenant = draft?.Tenant ?? (tenants.Count == 1 ? tenants[0] : null),
            Replicas = placed.Agents.Count, Update = draft?.Update ?? Strategy.Defaults, OnClusterLoss = placed.OnClusterLoss,
            DeploymentStrategy = request.DeploymentStrategy, Constraints = request.Constraints,
            Revisions = [new StoredRevision { Revision = 1, Spec = new(request.AgentType, request.AgentConfig, draft?.Version), Signature = request.Signature, CreatedAt = now }],
            AgentIds = placed.Agents.Select(a => a.AgentId).ToList(), Promoted = true, LastProgressAt = now, CreatedAt = now, UpdatedAt = now,
            Description = $"placing {placed.Agents.Count} agents of revision 1",
        };
        if (draft is null)
        {
            // The seed's deploy call is fire and forget: its revision 1 has nothing to roll out, so it is not gated (and
            // the rollout driver never reads the many deployments a busy fleet's deploys make). A later PUT rolls out as usual.
            record.State = DeploymentStates.Successful;
            record.StableRevision = 1;
            record.Revisions[0].Healthy = true;
            record.Description = $"placed {placed.Agents.Count} agents of revision 1 (a deploy call: no health gate)";
        }
        if (!await deployments.TrySaveAsync(record)) logger.LogWarning("Deployment {DeploymentId} was already recorded", record.Id);
        events.DeploymentChanged(record.Tenant, record.Id, record.State, record.Description);
    }

    // Every reference must name a secret of the agent's tenant (validation made sure there is one when any is referenced).
    private async Task<Dictionary<string, string[]>> MissingSecretsAsync(DeployRequest request, string? tenant)
    {
        var errors = new Dictionary<string, string[]>();
        var references = ServiceDefaults.SecretReferences.Read(request.AgentConfig, out _);
        if (!references.Any || tenant is null) return errors;
        foreach (var (field, map) in new[] { (ServiceDefaults.SecretReferences.EnvField, references.Env), (ServiceDefaults.SecretReferences.FilesField, references.Files) })
        {
            foreach (var (key, name) in map)
            {
                if (!await secrets.ExistsAsync(tenant, name))
                    errors[$"agent_config.{field}.{key}"] = [$"Secret '{name}' does not exist in tenant '{tenant}'."];
            }
        }
        if (references.ImagePull is { } pull && !await secrets.ExistsAsync(tenant, pull))
            errors[$"agent_config.{ServiceDefaults.SecretReferences.ImagePullField}"] = [$"Secret '{pull}' does not exist in tenant '{tenant}'."];
        return errors;
    }
}

// What POST /api/v1/deployments adds to a deploy: the deployment's id (drawn before placing), name, version label,
// the tenant it belongs to and its update strategy (defaults filled in).
public sealed record DeploymentDraft(string Id, string Name, string? Tenant, string? Version, UpdateStrategy Update);

// What became of one deploy request (DeployService); the API turns each into its answer.
public abstract record DeployResult
{
    private DeployResult() { }

    // The agents placed: by this request, or by an earlier one with the same Idempotency-Key (a replay).
    public DeployResponse? Placed => this switch
    {
        Replayed replayed => replayed.Response,
        Scheduled { Outcome: DeployOutcome.Placed placed } => placed.Response,
        _ => null,
    };

    public sealed record Invalid(Dictionary<string, string[]> Errors) : DeployResult;

    // A tenant the caller does not see was named (answered as unknown, never as forbidden).
    public sealed record UnknownTenant(string Tenant) : DeployResult;

    public sealed record InProgress : DeployResult;

    public sealed record KeyReused : DeployResult;

    public sealed record Replayed(DeployResponse Response) : DeployResult;

    public sealed record Scheduled(DeployOutcome Outcome) : DeployResult;
}
