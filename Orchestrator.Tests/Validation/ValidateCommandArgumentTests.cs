using Orchestrator.Validation.Cli;

namespace Orchestrator.Tests.Validation;

// Bad arguments never reach a deployment: exit 2 and one line naming what is wrong.
[Trait(TestLevel.Name, TestLevel.Unit)]
public sealed class ValidateCommandArgumentTests
{
    [Theory]
    [InlineData(new[] { "--orchestrator-url", "http://o1:8001", "--admin-password", "x" }, "--manager-url")]
    [InlineData(new[] { "--manager-url", "manager:8000", "--orchestrator-url", "http://o1:8001", "--admin-password", "x" }, "--manager-url: 'manager:8000'")]
    [InlineData(new[] { "--manager-url", "http://m:8000", "--admin-password", "x" }, "--orchestrator-url")]
    [InlineData(new[] { "--manager-url", "http://m:8000", "--orchestrator-url", "http://o1:8001", "--admin-password", "x", "--timeout", "soon" }, "--timeout: 'soon'")]
    [InlineData(new[] { "--manager-url", "http://m:8000", "--orchestrator-url", "http://o1:8001", "--admin-password", "x", "--data-dir", "/a", "--data-dir", "/b" }, "--data-dir")]
    [InlineData(new[] { "--manager-url", "http://m:8000", "--orchestrator-url", "http://o1:8001", "--admin-password", "x", "--colour" }, "--colour")]
    public async Task BadArgumentsExitWithOneLineNamingTheProblem(string[] arguments, string named)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();

        var exit = await ValidateCommand.RunAsync(arguments, stdout, stderr);

        Assert.Equal(ValidateCommand.BadArguments, exit);
        var line = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(named, line);
        Assert.Empty(stdout.ToString());
    }

    [Fact]
    public async Task AMissingAdminPasswordIsNamedWhenTheEnvironmentHasNoneEither()
    {
        if (Environment.GetEnvironmentVariable("ADMIN_PASSWORD") is not null) return; // the variable would supply it
        var stderr = new StringWriter();

        var exit = await ValidateCommand.RunAsync(["--manager-url", "http://m:8000", "--orchestrator-url", "http://o1:8001"], new StringWriter(), stderr);

        Assert.Equal(ValidateCommand.BadArguments, exit);
        Assert.Contains("--admin-password (or the ADMIN_PASSWORD environment variable) is required", stderr.ToString());
    }
}
