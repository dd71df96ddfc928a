using AccidentRemote.Server.Cases;

namespace AccidentRemote.Tests.Architecture;

/// <summary>
/// Features depend downward: Cases knows nothing of the features that plug into it, Auth knows
/// nothing of cases. Read from the compiled server, so a fully qualified name is caught too.
/// </summary>
public sealed class FolderDependencyTests
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Graph =
        FolderDependencies.Of(typeof(CaseTransaction).Assembly);

    [Theory]
    [InlineData("Cases", "Claims")]
    [InlineData("Cases", "Signalling")]
    [InlineData("Cases", "Documents")]
    [InlineData("Cases", "Evidence")]
    [InlineData("Cases", "Fraud")]
    [InlineData("Auth", "Cases")]
    public void A_lower_folder_does_not_use_a_higher_one(string lower, string higher)
    {
        var uses = Graph.TryGetValue(lower, out var edges) && edges.TryGetValue(higher, out var example) ? example : null;
        Assert.True(uses is null, $"{lower} must not depend on {higher}, but {uses}. Define an interface in {lower} that {higher} implements (a guard, commit hook or observer of CaseTransactions).");
    }

    [Fact]
    public void The_reader_sees_uses_the_compiler_keeps()
    {
        // The reader itself must see a known use, or every test above passes for nothing.
        Assert.Contains("Cases", Graph["Claims"].Keys);
        Assert.Contains("Auth", Graph["Cases"].Keys);
    }

    [Fact]
    public void No_folder_is_on_a_loop()
    {
        var loops = FolderDependencies.Cycles(Graph).Select(g => string.Join(" ⇄ ", g)).ToList();
        Assert.True(loops.Count == 0,
            $"Folders in a loop: {string.Join("; ", loops)}. Uses: " +
            string.Join("; ", Graph.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} → {string.Join(", ", g.Value.Keys.Order(StringComparer.Ordinal))}")));
    }

    [Theory]
    [InlineData("Insurers", "Cases")]
    [InlineData("Data", "Audit")]
    [InlineData("Auth", "Audit")]
    [InlineData("Evidence", "Documents")]
    public void The_lowest_folders_stay_below_the_features(string lower, string higher)
    {
        var uses = Graph.TryGetValue(lower, out var edges) && edges.TryGetValue(higher, out var example) ? example : null;
        Assert.True(uses is null, $"{lower} must not depend on {higher}, but {uses}.");
    }
}
