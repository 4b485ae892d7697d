using Microsoft.Playwright;

namespace Orchestrator.Tests.Console;

// The whole system as real processes (redis-server, a manager, two orchestrators), the built console in
// front of it, and Debian's chromium driven by Playwright (no browser download: ExecutablePath).
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string Chromium = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    public ProcessCluster Cluster { get; private set; } = null!;

    public ChildProcess Console { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public string Url => Console.Url!.ToString().TrimEnd('/');

    public async Task InitializeAsync()
    {
        Cluster = await ProcessCluster.StartAsync(new() { Managers = 1, Orchestrators = 2 });
        var url = new Uri($"http://127.0.0.1:{FreePort.Next()}");
        Console = await ChildProcess.StartServiceAsync(ProcessSpec.Project("Orchestrator.Console") with
        {
            Name = "console",
            Url = url,
            Environment = new Dictionary<string, string>
            {
                ["Console__ManagerUrl"] = Cluster.ManagerUrl,
                // Development serves the static assets (Fluent's styles and scripts) straight from the build output.
                ["ASPNETCORE_ENVIRONMENT"] = "Development",
            },
        }, TimeSpan.FromSeconds(60));
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox"],
        });
    }

    // A fresh browser context (own cookies), logged in through the console's login form.
    public async Task<IPage> LoggedInPageAsync(string username, string password)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 800 } });
        var page = await context.NewPageAsync();
        // Generous: the first page of a cold console JIT-compiles on a loaded machine.
        page.SetDefaultTimeout(30_000);
        await page.GotoAsync(Url + "/login");
        await page.FillAsync("#username", username);
        await page.FillAsync("#password", password);
        await page.ClickAsync("#login");
        await page.WaitForURLAsync(Url + "/");
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Console is not null) await Console.DisposeAsync();
        if (Cluster is not null) await Cluster.DisposeAsync();
    }
}
