namespace Orchestrator.Agent.Configuration;

// Which specs this node runs (docs/protocol.md "Signed specs"): SPEC_SIGNATURES, TRUSTED_SIGNING_KEYS, ON_KEY_REVOKED.
public sealed class SigningOptions
{
    public const string Section = "Signing";

    public const string Off = "off";
    public const string Monitor = "monitor";
    public const string Require = "require";
    public const string Stop = "stop";
    public const string Keep = "keep";

    // off | monitor | require. Unset: require as soon as keys are configured, off while none are (the seed's flow).
    public string? SpecSignatures { get; set; }

    // Path of the vendor's public keys, pinned by the customer ({"keys":[{"id":…,"public_key":…}]}); re-read at each reconcile.
    public string? TrustedSigningKeys { get; set; }

    // What happens to a running agent whose key was removed from the file: stop (default) or keep.
    public string OnKeyRevoked { get; set; } = Stop;

    public bool HasKeys => !string.IsNullOrWhiteSpace(TrustedSigningKeys);

    public string Mode => string.IsNullOrWhiteSpace(SpecSignatures) ? (HasKeys ? Require : Off) : SpecSignatures.Trim().ToLowerInvariant();
}
