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
        // Exactly as the AppHost (scripts/run-local.sh) starts it: `dotnet run --no-build --no-launch-profile` of the
        // built project, from its directory, with no ASPNETCORE_ENVIRONMENT (so Production, from the build output).
        // Development once hid that the packages' styles and scripts answered 500 there (issue 30 item 5).
        var project = Path.Combine(RepoPaths.Root, "Orchestrator.Console");
        Console = await ChildProcess.StartServiceAsync(new ProcessSpec("dotnet",
            ["run", "--project", Path.Combine(project, "Orchestrator.Console.csproj"), "--no-build", "--configuration", RepoPaths.Configuration, "--no-launch-profile"])
        {
            Name = "console",
            WorkingDirectory = project,
            Url = url,
            Environment = new Dictionary<string, string> { ["Console__ManagerUrl"] = Cluster.ManagerUrl },
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
        // Expectations retry until they hold, so a longer bound costs a passing test nothing (the default is 5 s).
        Assertions.SetDefaultExpectTimeout(20_000);
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
