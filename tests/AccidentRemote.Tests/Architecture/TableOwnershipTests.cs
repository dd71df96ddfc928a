using System.Text.RegularExpressions;
using AccidentRemote.Server.Cases;

namespace AccidentRemote.Tests.Architecture;

/// <summary>
/// Each feature writes only its own tables; another feature's table is at most read. Read from the
/// SQL literals of the compiled server: every INSERT INTO, UPDATE … SET and DELETE FROM names its
/// table, and the folder that runs it must be the table's owner below.
/// </summary>
public sealed partial class TableOwnershipTests
{
    /// <summary>
    /// Which folder owns each table: the feature whose migration and store make it. A new table is
    /// assigned here, or the test fails on its first write.
    /// </summary>
    private static readonly Dictionary<string, string> Owners = new(StringComparer.Ordinal)
    {
        ["cases"] = "Cases",
        ["parties"] = "Cases",
        ["case_events"] = "Cases",
        ["case_duplicates"] = "Cases",
        ["case_reporters"] = "Cases",
        ["abuse_blocks"] = "Cases",
        ["officers"] = "Auth",
        ["officer_sessions"] = "Auth",
        ["claims"] = "Claims",
        ["embedded_insurer_inbox"] = "Claims",
        ["evidence"] = "Evidence",
        ["evidence_copies"] = "Evidence",
        ["documents"] = "Documents",
        ["document_numbers"] = "Documents",
        ["signatures"] = "Documents",
        ["objections"] = "Documents",
        ["policies"] = "Insurers",
        ["audit_log"] = "Data",
        ["server_secrets"] = "Data",
        ["schema_migrations"] = "Data",
    };

    private static readonly List<(string Folder, string Type, string Table, string Statement)> Writes =
        FolderDependencies.Literals(typeof(CaseTransaction).Assembly)
            .SelectMany(l => WriteStatement().Matches(l.Literal).Select(m =>
                (l.Folder, l.Type.FullName ?? l.Type.Name, Table: m.Groups["table"].Value, Statement: m.Value)))
            .ToList();

    [Fact]
    public void Every_write_is_in_the_folder_that_owns_the_table()
    {
        var foreign = Writes
            .Where(w => Owners.TryGetValue(w.Table, out var owner) && owner != w.Folder)
            .Select(w => $"{w.Folder} writes {w.Table}, which {Owners[w.Table]} owns ({w.Type}: \"{w.Statement}\")")
            .Distinct()
            .ToList();
        Assert.True(foreign.Count == 0,
            "A feature writes another feature's table; give the owner a method in its store that takes the transaction, and call it: " +
            string.Join("; ", foreign));
    }

    [Fact]
    public void Every_table_written_has_an_owner()
    {
        var unowned = Writes.Where(w => !Owners.ContainsKey(w.Table)).Select(w => $"{w.Table} ({w.Folder}, {w.Type})").Distinct().ToList();
        Assert.True(unowned.Count == 0, $"Tables written that have no owner in {nameof(Owners)}: {string.Join("; ", unowned)}. Assign each to the folder whose migration and store make it.");
    }

    [Fact]
    public void The_reader_finds_the_writes_the_server_makes()
    {
        // A reader that found nothing would pass the tests above for nothing.
        Assert.Contains(Writes, w => w is { Folder: "Cases", Table: "cases" } && w.Statement.StartsWith("UPDATE", StringComparison.Ordinal));
        Assert.Contains(Writes, w => w is { Folder: "Claims", Table: "claims" } && w.Statement.StartsWith("INSERT", StringComparison.Ordinal));
        Assert.Contains(Writes, w => w is { Folder: "Auth", Table: "officer_sessions" } && w.Statement.StartsWith("DELETE", StringComparison.Ordinal));
    }

    // Keywords in capitals, as the server writes its SQL; "DO UPDATE SET" of an upsert is part of its INSERT.
    [GeneratedRegex(@"\bINSERT\s+INTO\s+(?<table>[a-z_][a-z0-9_]*)|\bDELETE\s+FROM\s+(?<table>[a-z_][a-z0-9_]*)|(?<!\bDO\s+)\bUPDATE\s+(?<table>[a-z_][a-z0-9_]*)\s+SET\b", RegexOptions.CultureInvariant)]
    private static partial Regex WriteStatement();
}
