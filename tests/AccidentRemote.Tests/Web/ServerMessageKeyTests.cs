using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace AccidentRemote.Tests.Web;

/// <summary>
/// The server's messages (Resources/ServerMessages*.resx) have the same keys in zh-CN and en, no empty
/// text, and every key the code passes to <c>Problems</c> or <c>ServerText</c> exists.
/// </summary>
public sealed partial class ServerMessageKeyTests
{
    private static readonly string Server = Path.Combine(Root(), "src", "AccidentRemote.Server");

    [Fact]
    public void Chinese_and_English_have_the_same_keys_and_no_empty_text()
    {
        var neutral = Read("ServerMessages.resx");
        var zh = Read("ServerMessages.zh-CN.resx");
        var en = Read("ServerMessages.en.resx");

        Assert.Equal(zh.Keys.Order(StringComparer.Ordinal), en.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(zh.Keys.Order(StringComparer.Ordinal), neutral.Keys.Order(StringComparer.Ordinal));
        Assert.All(zh.Concat(en), e => Assert.False(string.IsNullOrWhiteSpace(e.Value), $"{e.Key} is empty"));
        // The same placeholders in both: a {2} in one language and not the other is a text that lost a fact.
        Assert.All(zh.Keys.Where(k => !en[k].Equals("{0}", StringComparison.Ordinal)), k =>
            Assert.True(Placeholders(zh[k]).IsSubsetOf(Placeholders(en[k])), $"{k}: zh has a placeholder that en lacks"));
    }

    [Fact]
    public void Every_key_the_code_uses_is_in_the_resources()
    {
        var keys = Read("ServerMessages.en.resx").Keys.ToHashSet(StringComparer.Ordinal);
        var used = Directory.EnumerateFiles(Server, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => Uses().Matches(Comment().Replace(File.ReadAllText(f), "")).Select(m => (File: Path.GetFileName(f), Method: m.Groups["method"].Value, Key: m.Groups["key"].Value)))
            .ToList();

        Assert.True(used.Count > 150, $"Only {used.Count} uses found: has the pattern stopped matching?");
        var missing = used.Where(u => u.Method is "Get" or "Find" or "Field"
                ? !keys.Contains(u.Key) && u.Method != "Find"
                : !keys.Contains(u.Key + ".title"))
            .Select(u => $"{u.File}: {u.Method}(\"{u.Key}\")").Distinct().ToList();
        Assert.True(missing.Count == 0, "Not in Resources/ServerMessages: " + string.Join("; ", missing));

        // The keys made from a name: every action's refusal and every state in words.
        Assert.All(AccidentRemote.Server.Cases.CaseStateMachine.Transitions, t => Assert.Contains("Case.Action." + t.Action, keys));
        Assert.All(AccidentRemote.Server.Cases.CaseStateMachine.Transitions.SelectMany(t => t.From.Append(t.To)).Distinct(),
            s => Assert.Contains("Case.Status." + s, keys));
    }

    private static HashSet<string> Placeholders(string text) => Placeholder().Matches(text).Select(m => m.Value).ToHashSet();

    private static Dictionary<string, string> Read(string file) =>
        XDocument.Load(Path.Combine(Server, "Resources", file)).Root!.Elements("data")
            .ToDictionary(d => d.Attribute("name")!.Value, d => d.Element("value")!.Value);

    private static string Root()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AccidentRemote.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("AccidentRemote.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// <c>ServerText.Get("K"</c>, <c>ServerText.Find("K"</c>, <c>Problems.Field(field, "K"</c> (a key) and
    /// <c>Problems.Of(status, "K"</c>, <c>Problems.With(status, "K"</c>, <c>Problems.WithDetail(status, "K"</c>,
    /// <c>Problems.Invalid("K"</c>, <c>Inspection.Refused("K"</c> (a key with <c>.title</c>); the field's or status's argument may be any expression without a quote.
    /// </summary>
    [GeneratedRegex("""(?:ServerText|Problems|Inspection)\.(?<method>Get|Find|Of|With|WithDetail|Invalid|Refused)\((?:[^"();]*?,\s*)?"(?<key>[A-Za-z][\w-]*(?:\.[\w-]+)*)"(?!\s*\+)|Problems\.(?<method>Field)\((?:[^"();]*?|"[^"]*"),\s*"(?<key>[A-Za-z][\w-]*(?:\.[\w-]+)*)"(?!\s*\+)""")]
    private static partial Regex Uses();

    /// <summary>Line comments (the XML docs show example keys).</summary>
    [GeneratedRegex(@"//.*$", RegexOptions.Multiline)]
    private static partial Regex Comment();

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex Placeholder();
}
