namespace Orchestrator.Testing.Containers;

// An image in a registry, by tag and by its manifest digest:
// Repository "127.0.0.1:PORT/test/busybox", Tag "t1a2b3c4", Digest "sha256:...".
public sealed record PushedImage(string Repository, string Tag, string Digest)
{
    // 127.0.0.1:PORT/test/busybox:t1a2b3c4
    public string TagReference => $"{Repository}:{Tag}";

    // 127.0.0.1:PORT/test/busybox@sha256:...: the exact version, what a deploy should name.
    public string DigestReference => $"{Repository}@{Digest}";

    public override string ToString() => DigestReference;
}
