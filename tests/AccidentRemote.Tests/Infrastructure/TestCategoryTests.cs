using System.Reflection;

namespace AccidentRemote.Tests.Infrastructure;

/// <summary>Keeps the fast loop honest: no browser or fault test can escape its trait.</summary>
public sealed class TestCategoryTests
{
    private static readonly Type[] TestClasses = [.. typeof(TestCategoryTests).Assembly.GetTypes()
        .Where(t => t.IsClass && !t.IsAbstract && t.GetMethods().Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()))];

    private static bool HasCategory(Type type, string category) =>
        type.GetCustomAttributes<TraitAttribute>(inherit: true).Any(a => a.Name == TestCategory.Name && a.Value == category);

    private static bool InFolder(Type type, string folder) =>
        type.Namespace is { } ns && (ns == $"AccidentRemote.Tests.{folder}" || ns.StartsWith($"AccidentRemote.Tests.{folder}.", StringComparison.Ordinal));

    private static bool DrivesChromium(Type type) =>
        type.GetConstructors().Any(c => c.GetParameters().Any(p => p.ParameterType == typeof(Chromium)))
        || type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericArguments().Contains(typeof(Chromium)));

    [Fact]
    public void There_are_test_classes_to_check() =>
        Assert.Contains(TestClasses, t => InFolder(t, "Browser")); // the reflection finds tests at all

    [Fact]
    public void Every_test_class_under_Browser_or_driving_Chromium_carries_the_Browser_trait()
    {
        var missing = TestClasses.Where(t => (InFolder(t, "Browser") || DrivesChromium(t)) && !HasCategory(t, TestCategory.Browser)).Select(t => t.FullName);
        Assert.Empty(missing);
    }

    [Fact]
    public void Every_test_class_under_Faults_carries_the_Fault_trait()
    {
        var missing = TestClasses.Where(t => InFolder(t, "Faults") && !HasCategory(t, TestCategory.Fault)).Select(t => t.FullName);
        Assert.Empty(missing);
    }
}
