using System.Reflection;

namespace Orchestrator.Testing;

// Every test class carries exactly one level, [Trait(TestLevel.Name, TestLevel.Unit)], so a developer can
// run the fast ones alone: `bash scripts/test.sh --fast` runs Unit and Api.
public static class TestLevel
{
    public const string Name = "Level";

    // In-process, no network and no service: the code itself, fake clocks, at most temp files and tiny commands.
    public const string Unit = "Unit";

    // The manager in-process (WebApplicationFactory) or its stores against a real redis-server.
    public const string Api = "Api";

    // Built services as real processes talking real HTTP (ChildProcess, ProcessCluster).
    public const string Cluster = "Cluster";

    // The whole Aspire AppHost (Aspire.Hosting.Testing) or its manifest.
    public const string AppHost = "AppHost";

    // The customer/vendor kit: compose files, Dockerfiles, scripts, publish output.
    public const string Deployment = "Deployment";

    // Real processes in Linux network namespaces (NetworkLab): vendor, router and customer networks, root only;
    // skipped, with the reason, where namespaces cannot be created.
    public const string Network = "Network";

    public static IReadOnlyList<string> All { get; } = [Unit, Api, Cluster, AppHost, Deployment, Network];

    // The classes xunit runs: public, concrete, with an [Fact] or [Theory] method (inherited ones count).
    // Read through attribute data, so this library needs no test framework.
    public static IReadOnlyList<Type> TestClasses(Assembly tests) =>
        tests.GetExportedTypes().Where(type => type is { IsClass: true, IsAbstract: false } && type.GetMethods().Any(IsTest)).ToList();

    // Each class whose Level traits are not exactly one known level, with what it has.
    public static IReadOnlyList<string> Misfiled(IEnumerable<Type> testClasses) =>
        testClasses
            .Select(type => (type, levels: LevelsOf(type)))
            .Where(x => x.levels.Count != 1 || !All.Contains(x.levels[0]))
            .Select(x => $"{x.type.FullName}: [{string.Join(", ", x.levels)}]")
            .Order()
            .ToList();

    public static IReadOnlyList<string> LevelsOf(Type type) =>
        type.GetCustomAttributesData()
            .Where(a => a.AttributeType.FullName == "Xunit.TraitAttribute" && (string?)a.ConstructorArguments[0].Value == Name)
            .Select(a => (string)a.ConstructorArguments[1].Value!)
            .ToList();

    // [SkippableFact] and other attributes derived from [Fact] count too.
    private static bool IsTest(MethodInfo method) =>
        method.CustomAttributes.Any(a => IsTestAttribute(a.AttributeType));

    private static bool IsTestAttribute(Type? type) =>
        type is not null && (type.FullName is "Xunit.FactAttribute" or "Xunit.TheoryAttribute" || IsTestAttribute(type.BaseType));
}
