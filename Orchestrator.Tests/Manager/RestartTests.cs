using System.Net.Http.Json;
using Orchestrator.Tests.Infrastructure;

namespace Orchestrator.Tests.Manager;

// All state lives in Redis: a new manager, or a restarted append-only Redis, still knows every container.
[Trait(TestLevel.Name, TestLevel.Api)]
public class RestartTests
{
    [Fact]
    public async Task ANewManagerProcessOnTheSameRedisStillListsEveryContainer()
    {
        await using var redis = new RedisHost();
        await redis.StartAsync();
        var names = Enumerable.Range(0, 3).Select(_ => Registrations.UniqueName()).ToList();
        string heartbeatId;
        await using (var first = new ManagerFactory(redis))
        {
            using var admin = await first.CreateAdminClientAsync();
            foreach (var name in names) await admin.RegisterAsync(name);
            heartbeatId = await admin.RegisterIdAsync(names[0]);
        }

        await using var second = new ManagerFactory(redis);
        using var again = await second.CreateAdminClientAsync();
        var list = await again.GetJsonAsync("/api/v1/cluster/containers");
        var listed = list.GetProperty("containers").EnumerateArray().Select(c => c.GetProperty("container_name").GetString()).ToList();
        Assert.Equal(names.Order(), listed.Order());
        // The second manager accepts heartbeats for ids the first one handed out.
        var heartbeat = await again.PostAsJsonAsync($"/api/v1/cluster/containers/{heartbeatId}/heartbeat", Registrations.Heartbeat(heartbeatId));
        heartbeat.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task ContainersSurviveARedisRestartThanksToAppendOnlyPersistence()
    {
        await using var redis = new RedisHost();
        await redis.StartAsync();
        await using var manager = new ManagerFactory(redis);
        using var admin = await manager.CreateAdminClientAsync();
        var name = Registrations.UniqueName();
        var id = await admin.RegisterIdAsync(name);

        redis.Stop();
        await redis.StartAsync();
        var container = await Deadline.PollAsync(async () =>
        {
            var response = await admin.GetAsync($"/api/v1/cluster/containers/{id}");
            return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>() : (System.Text.Json.JsonElement?)null;
        }, TimeSpan.FromSeconds(60), "the manager to read the container after Redis restarted");
        Assert.Equal(name, container!.Value.GetProperty("container_name").GetString());
    }
}
