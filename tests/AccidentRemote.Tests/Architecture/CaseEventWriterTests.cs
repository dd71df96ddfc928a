using AccidentRemote.Server.Cases;

namespace AccidentRemote.Tests.Architecture;

/// <summary>
/// A case's timeline (<c>case_events</c>) and its case audit entries have one writer: a
/// <see cref="CaseTransaction"/>, at its commit. Read from the compiled server: which methods call
/// <c>CaseEvents.WriteAsync</c>, and which SQL inserts into <c>case_events</c>.
/// </summary>
public sealed class CaseEventWriterTests
{
    private static readonly Type CaseEvents = typeof(CaseTransaction).Assembly.GetType("AccidentRemote.Server.Cases.CaseEvents", throwOnError: true)!;

    /// <summary>The type whose source holds the code: the outermost declaring type (an async state machine or a lambda's closure is nested in it).</summary>
    private static Type Written(Type type)
    {
        while (type.DeclaringType is { } outer)
        {
            type = outer;
        }

        return type;
    }

    [Fact]
    public void Only_a_case_transaction_writes_case_events()
    {
        var calls = FolderDependencies.Calls(typeof(CaseTransaction).Assembly)
            .Where(c => c.Called.DeclaringType == CaseEvents && c.Called.Name == "WriteAsync")
            .ToList();
        Assert.NotEmpty(calls); // A reader that found no call would pass the check below for nothing.
        var outside = calls
            .Where(c => Written(c.Type) != typeof(CaseTransaction))
            .Select(c => $"{c.Type.FullName}.{c.Method.Name}")
            .Distinct()
            .ToList();
        Assert.True(outside.Count == 0,
            "CaseEvents.WriteAsync is called outside CaseTransaction; open a case transaction (CaseTransactions.BeginAsync, BeginNewAsync) " +
            "and record the event with tx.Record (or tx.RecordOn for another case in the same change): " + string.Join("; ", outside));
    }

    [Fact]
    public void Only_CaseEvents_inserts_into_case_events()
    {
        var inserts = FolderDependencies.Literals(typeof(CaseTransaction).Assembly)
            .Where(l => l.Literal.Contains("INSERT INTO case_events", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(inserts);
        var outside = inserts.Where(l => Written(l.Type) != CaseEvents).Select(l => l.Type.FullName).Distinct().ToList();
        Assert.True(outside.Count == 0,
            "A type other than CaseEvents inserts into case_events; record the event in a case transaction (tx.Record) instead: " + string.Join("; ", outside));
    }
}
