namespace AccidentRemote.Tests.Infrastructure;

/// <summary>
/// The <c>Category</c> trait of the slow tests, so a developer can leave them out of a fast loop:
/// <c>infra/test.sh --fast</c> passes <c>--filter "Category!=Browser&amp;Category!=Fault"</c>.
/// <see cref="TestCategoryTests"/> fails when a class under Browser/ or Faults/, or any class that
/// drives Chromium, lacks its trait. Use as <c>[Trait(TestCategory.Name, TestCategory.Browser)]</c>.
/// </summary>
public static class TestCategory
{
    public const string Name = "Category";

    /// <summary>Real Chromium through Playwright (everything in Browser/).</summary>
    public const string Browser = "Browser";

    /// <summary>Faults injected on purpose: broker and server nodes killed, databases and brokers cut (everything in Faults/).</summary>
    public const string Fault = "Fault";
}
