using System.Security.Claims;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Orchestrator.Manager.Agents;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Events;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Options;
using Orchestrator.Manager.Secrets;
using Orchestrator.Manager.Tenants;

namespace Orchestrator.Manager.Scheduling;

// One deploy as an operator asks for it: the request's checks, its Idempotency-Key, the placement, and what a deploy
// leaves behind: the events of a new placement, the audit entry and the tenants' metrics of every attempt. They are
// recorded here and only here, so a placement, a replay and a refusal are each recorded once (issue 28).
public sealed class Deployments(AgentScheduler scheduler, IdempotencyStore idempotency, IOptions<SchedulingOptions> options,
    IOptions<LimitsOptions> limits, AuditLog audit, TenantMetrics tenantMetrics, EventLog events, ImageDigestRequirement digests,
    SecretStore secrets)
{
    public async Task<DeployResult> DeployAsync(DeployRequest request, string? idempotencyKey, ClaimsPrincipal user, CallerScope caller)
    {
        var result = await PlaceAsync(request, idempotencyKey, user, caller);
        if (result is DeployResult.Scheduled { Outcome: DeployOutcome.Placed placed }) events.Deployed(placed.Response);
        var (outcome, target, tenant) = result.Placed is { } response
            ? (AuditOutcomes.Success, response.DeploymentId,
                response.Agents.Select(a => a.OrchestratorId).Distinct().Count() == 1 ? response.Agents[0].OrchestratorId : "")
            : (result is DeployResult.UnknownTenant ? AuditOutcomes.NotFound : AuditOutcomes.Refused, request.AgentType ?? "", caller.DefaultTenant);
        await audit.RecordAsync(caller, AuditActions.Deploy, target, outcome, tenant);
        if (result.Placed is { } done) tenantMetrics.Placed(done.Agents.Select(a => a.OrchestratorId));
        else tenantMetrics.Refused(tenant);
        return result;
    }

    private async Task<DeployResult> PlaceAsync(DeployRequest request, string? idempotencyKey, ClaimsPrincipal user, CallerScope caller)
    {
        if (request.Limits(limits.Value) is { Count: > 0 } tooLarge) return new DeployResult.Invalid(tooLarge);
        if (request.ToCommand(options.Value, out var errors) is not { } command) return new DeployResult.Invalid(errors);
        // An operator places only within its tenants; naming another tenant is answered as an unknown one.
        if (command.OrchestratorId is { } pinned && !caller.Sees(pinned)) return new DeployResult.UnknownTenant(pinned);
        command = command with { Tenants = caller.Tenants };
        if (await MissingSecretsAsync(request, command.OrchestratorId) is { Count: > 0 } missing) return new DeployResult.Invalid(missing);
        var image = ContainerAgentConfig.ImageOf(request.AgentConfig);
        if (await digests.RefusingTenantAsync(command, image) is { } refusing)
            return new DeployResult.Invalid(ImageDigestRequirement.Refusal(refusing, image!));
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

// What became of one deploy request (Deployments); the API turns each into its answer.
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
