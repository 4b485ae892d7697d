using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Orchestrator.Manager.Auth;
using Orchestrator.Manager.Journal;
using Orchestrator.Manager.Limits;
using Orchestrator.Manager.Problems;
using Orchestrator.Protocol.Signing;

namespace Orchestrator.Manager.Apis;

// The node's journal (issue 29): a node asks which entry the manager holds last and uploads the entries after it.
public static class JournalApi
{
    public const int MaxEntries = 500;
    private const int MaxDetail = 2048;
    private const int MaxName = 128;

    public static IEndpointRouteBuilder MapJournalApi(this IEndpointRouteBuilder app)
    {
        var node = app.MapGroup(string.Empty).WithTags("Journal").RequireAuthorization(Policies.ClusterMember).RequireContainerIds();
        node.MapGet(ManagerRoutes.ContainerJournal, AckAsync).WithSummary("The last journal entry the manager holds for this node (its node only)");
        node.MapPost(ManagerRoutes.ContainerJournal, UploadAsync).WithSummary("Upload the node's journal entries after the acknowledged one (its node only)");
        return app;
    }

    public static async Task<Results<Ok<JournalAck>, ProblemHttpResult>> AckAsync(string id, ClaimsPrincipal user, NodeJournalIntake intake) =>
        user.MayActFor(id) ? TypedResults.Ok(await intake.AckAsync(id)) : ApiProblems.NotYourContainer();

    public static async Task<Results<Ok<JournalAck>, ValidationProblem, ProblemHttpResult>> UploadAsync(
        string id, JournalUploadRequest request, ClaimsPrincipal user, CallerScope caller, NodeJournalIntake intake)
    {
        if (Validate(request) is { Count: > 0 } errors) return TypedResults.ValidationProblem(errors);
        if (!user.MayActFor(id)) return ApiProblems.NotYourContainer();
        return await intake.AcceptAsync(id, caller, request) switch
        {
            NodeJournalIntake.Outcome.Accepted accepted => TypedResults.Ok(accepted.Ack),
            NodeJournalIntake.Outcome.KeyMissing => TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["public_key"] = ["public_key is required: the manager holds no journal key for this node yet."],
            }),
            NodeJournalIntake.Outcome.Tampered tampered => ApiProblems.Problem(ProblemTypes.JournalTampered,
                $"The node's journal chain is broken at entry {tampered.Sequence}: {tampered.Reason}. Nothing of this upload was stored.",
                new Dictionary<string, object?>
                {
                    ["sequence"] = tampered.Sequence, ["acked_sequence"] = tampered.Ack.AckedSequence, ["acked_hash"] = tampered.Ack.AckedHash,
                }),
            _ => throw new InvalidOperationException("unknown journal outcome"),
        };
    }

    // Shapes only: whether the entries chain and verify is the intake's to judge (a broken chain is tampering, not bad input).
    private static Dictionary<string, string[]> Validate(JournalUploadRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.PublicKey is not null && JournalChain.TryImportPublicKey(request.PublicKey) is null)
            errors["public_key"] = ["public_key must be the base64 of a raw 32-byte Ed25519 public key."];
        if (request.Entries is not { Count: > 0 } entries)
        {
            errors["entries"] = ["entries is required: one or more journal entries, oldest first."];
            return errors;
        }
        if (entries.Count > MaxEntries) errors["entries"] = [$"at most {MaxEntries} entries per upload."];
        for (var i = 0; i < entries.Count && errors.Count < 10; i++)
        {
            var entry = entries[i];
            if (entry is null)
            {
                errors[$"entries[{i}]"] = ["an entry is required."];
                continue;
            }
            if (entry.Sequence < 1) errors[$"entries[{i}].sequence"] = ["sequence must be 1 or more."];
            if (i > 0 && entries[i - 1] is { } previous && entry.Sequence <= previous.Sequence)
                errors[$"entries[{i}].sequence"] = ["entries must be in growing sequence."];
            if (entry.Kind is { Length: > MaxName }) errors[$"entries[{i}].kind"] = [$"kind is at most {MaxName} characters."];
            if (entry.AgentId is { Length: > MaxName }) errors[$"entries[{i}].agent_id"] = [$"agent_id is at most {MaxName} characters."];
            if (entry.Detail is { Length: > MaxDetail }) errors[$"entries[{i}].detail"] = [$"detail is at most {MaxDetail} characters."];
            if (entry.PrevHash is { Length: > 64 }) errors[$"entries[{i}].prev_hash"] = ["prev_hash is 64 hex characters."];
            if (entry.Hash is { Length: > 64 }) errors[$"entries[{i}].hash"] = ["hash is 64 hex characters."];
            if (entry.Signature is { Length: > 128 }) errors[$"entries[{i}].signature"] = ["signature is the base64 of 64 bytes."];
        }
        return errors;
    }
}
