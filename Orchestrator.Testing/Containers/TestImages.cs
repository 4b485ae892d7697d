using System.Formats.Tar;
using System.Text;
using Orchestrator.Testing.Hosting;

namespace Orchestrator.Testing.Containers;

// Images for tests, built without the internet: a rootfs tar from this machine's files, `podman import`ed,
// pushed to a LocalRegistry, and untagged locally again so that a node really pulls it.
//
//   var image = await TestImages.BusyboxAsync(registry);   // image.DigestReference: 127.0.0.1:PORT/test/busybox@sha256:...
//   agent_config: { "image": image.DigestReference, "command": ["sh", "-c", "..."] }
public static class TestImages
{
    // Debian's busybox-static: one static binary, so the image needs no libraries.
    public const string Busybox = "/bin/busybox";

    private static readonly Lazy<Task<string>> BusyboxRootfs = new(() => WriteBusyboxRootfsAsync(
        Path.Combine(Directory.CreateTempSubdirectory("orchestrator-rootfs-").FullName, "busybox.tar")));

    // A busybox image (sh, sleep, wget, nc, httpd, ...; PATH=/bin, CMD sh) pushed as repository:tag; the tag is
    // unique per call unless given, so parallel tests never move each other's tags.
    public static async Task<PushedImage> BusyboxAsync(LocalRegistry registry, string repository = "test/busybox", string? tag = null) =>
        await ImportAsync(registry, await BusyboxRootfs.Value, repository, tag ?? $"t{Guid.NewGuid():N}"[..9],
            ["ENV PATH=/bin", "CMD [\"/bin/sh\"]"]);

    // `podman import` of a rootfs tar with Dockerfile-style changes (ENV, CMD, ENTRYPOINT, USER, WORKDIR, ...),
    // pushed to the registry; returns its digest there.
    public static async Task<PushedImage> ImportAsync(LocalRegistry registry, string rootfsTar, string repository, string tag,
        IEnumerable<string> changes)
    {
        var image = new PushedImage($"{registry.Host}/{repository}", tag, "");
        List<string> import = ["import"];
        foreach (var change in changes) import.AddRange(["--change", change]);
        await PodmanConfig.PodmanAsync([.. import, rootfsTar, image.TagReference], TimeSpan.FromMinutes(2));

        var digestFile = Path.Combine(Path.GetDirectoryName(rootfsTar)!, $"digest-{Guid.NewGuid():N}");
        try
        {
            List<string> push = ["push", "--quiet", "--tls-verify=false", "--digestfile", digestFile];
            if (registry.Credentials is { } login) push.AddRange(["--creds", $"{login.User}:{login.Password}"]);
            await PodmanConfig.PodmanAsync([.. push, image.TagReference], TimeSpan.FromMinutes(2));
            image = image with { Digest = (await File.ReadAllTextAsync(digestFile)).Trim() };
        }
        finally
        {
            File.Delete(digestFile);
        }
        // Only the registry has it now: a deploy proves the node's pull, not podman's local store.
        await PodmanConfig.PodmanAsync(["rmi", "--force", image.TagReference], TimeSpan.FromMinutes(1));
        return image;
    }

    // A rootfs tar: /bin/busybox with a symlink per applet, /etc/passwd and /etc/group (root, nobody), and
    // the empty directories a container expects (/tmp, /data, /proc, /sys, /dev, /run).
    public static async Task<string> WriteBusyboxRootfsAsync(string tarPath)
    {
        var applets = (await ChildProcess.OutputOfAsync(Busybox, ["--list"], TimeSpan.FromSeconds(30)))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(applet => applet != "busybox");
        await using var file = File.Create(tarPath);
        await using (var tar = new TarWriter(file, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var dir in new[] { "bin", "etc", "data", "proc", "sys", "dev", "run", "root" })
                await tar.WriteEntryAsync(DirectoryEntry(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute));
            await tar.WriteEntryAsync(DirectoryEntry("tmp", (UnixFileMode)0b1_111_111_111)); // 1777
            await tar.WriteEntryAsync(Busybox, "bin/busybox");
            foreach (var applet in applets)
                await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, $"bin/{applet}") { LinkName = "busybox" });
            await tar.WriteEntryAsync(Text("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n"));
            await tar.WriteEntryAsync(Text("etc/group", "root:x:0:\nnogroup:x:65534:\n"));
        }
        return tarPath;
    }

    private static PaxTarEntry DirectoryEntry(string name, UnixFileMode mode) => new(TarEntryType.Directory, name + "/") { Mode = mode };

    private static PaxTarEntry Text(string name, string content) => new(TarEntryType.RegularFile, name)
    {
        Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
    };
}
