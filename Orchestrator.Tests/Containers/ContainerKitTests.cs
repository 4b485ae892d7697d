using System.Net.Http.Json;
using System.Text.Json;
using Orchestrator.Testing.Containers;

namespace Orchestrator.Tests.Containers;

// The container-engine kit every container test stands on: a real podman service and a real loopback registry,
// and an image built from busybox-static without the internet.
[Trait(TestLevel.Name, TestLevel.Cluster)]
public class ContainerKitTests
{
    [SkippableFact]
    public async Task An_image_pushed_to_the_local_registry_is_pulled_back_by_digest_through_the_engine_api_and_runs_with_a_memory_limit()
    {
        var unavailable = PodmanConfig.Unavailable();
        Skip.If(unavailable is not null, unavailable);
        await using var registry = await LocalRegistry.StartAsync();
        await using var podman = await PodmanService.StartAsync();
        var image = await TestImages.BusyboxAsync(registry);

        Assert.Matches(@"^127\.0\.0\.1:\d+/test/busybox@sha256:[0-9a-f]{64}$", image.DigestReference);
        Assert.Equal(image.Digest, await registry.DigestOfAsync("test/busybox", image.Tag));
        Assert.StartsWith("unix:///", podman.DockerHost);

        using var docker = podman.CreateClient();
        using (var pull = await docker.PostAsync($"images/create?fromImage={Uri.EscapeDataString(image.DigestReference)}", null))
        {
            var body = await pull.Content.ReadAsStringAsync();
            Assert.True(pull.IsSuccessStatusCode, body);
            Assert.DoesNotContain("\"error\"", body);
        }
        using (var inspect = await docker.GetFromJsonAsync<JsonDocument>($"images/{Uri.EscapeDataString(image.DigestReference)}/json"))
        {
            var digests = inspect!.RootElement.GetProperty("RepoDigests").EnumerateArray().Select(d => d.GetString());
            Assert.Contains(image.DigestReference, digests);
        }

        var name = $"kit-{Guid.NewGuid():N}"[..16];
        try
        {
            using var create = await docker.PostAsJsonAsync($"containers/create?name={name}", new
            {
                Image = image.DigestReference,
                Cmd = new[] { "sh", "-c", "echo ready; sleep 30" },
                Labels = new Dictionary<string, string> { ["orchestrator.test"] = name },
                HostConfig = new { Memory = 64L * 1024 * 1024, ReadonlyRootfs = true, CapDrop = new[] { "ALL" } },
            });
            Assert.True(create.IsSuccessStatusCode, await create.Content.ReadAsStringAsync());
            using var start = await docker.PostAsync($"containers/{name}/start", null);
            Assert.True(start.IsSuccessStatusCode, await start.Content.ReadAsStringAsync());

            using var container = await docker.GetFromJsonAsync<JsonDocument>($"containers/{name}/json");
            var root = container!.RootElement;
            Assert.Equal("running", root.GetProperty("State").GetProperty("Status").GetString());
            Assert.Equal(64L * 1024 * 1024, root.GetProperty("HostConfig").GetProperty("Memory").GetInt64());
        }
        finally
        {
            await podman.RemoveContainersAsync($"orchestrator.test={name}");
        }
    }
}
