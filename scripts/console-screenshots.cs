#:package Microsoft.Playwright
#:property PublishAot=false
// Retakes the README's console screenshots (docs/images) from a running `bash scripts/run-local.sh`, in Debian's
// headless chromium. The admin password is the local cluster's `admin-password` parameter (dashboard), e.g.
//   ADMIN_PASSWORD=... dotnet run scripts/console-screenshots.cs -- docs/images
using Microsoft.Playwright;

var output = args.Length > 0 ? args[0] : "docs/images";
var url = Environment.GetEnvironmentVariable("CONSOLE_URL") ?? "http://localhost:8080";
var password = Environment.GetEnvironmentVariable("ADMIN_PASSWORD") ?? throw new InvalidOperationException("set ADMIN_PASSWORD");

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox"] });
var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 } });
page.SetDefaultTimeout(30_000);
await page.GotoAsync(url + "/login");
await page.FillAsync("#username", "admin");
await page.FillAsync("#password", password);
await page.ClickAsync("#login");
await page.WaitForURLAsync(url + "/");
await page.Locator("tr[data-container]").First.WaitForAsync();
// Interactive: the circuit is up once Fluent's web components have rendered.
await page.WaitForFunctionAsync("() => !!customElements.get('fluent-button') || !!customElements.get('fluent-anchor')");
await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
await page.ScreenshotAsync(new() { Path = Path.Combine(output, "console-fleet.png") });
await page.GotoAsync(url + "/agents");
await page.Locator("tr[data-agent]").First.WaitForAsync();
await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
await page.ScreenshotAsync(new() { Path = Path.Combine(output, "console-agents.png") });
Console.WriteLine($"console-fleet.png and console-agents.png written to {output}");
