using System.Text.Json;
using System.Text.RegularExpressions;

namespace AccidentRemote.Tests.Telemetry;

/// <summary>
/// The metric names a PromQL expression reads: what is left once strings, label matchers, range and
/// subquery brackets, grouping label lists and Grafana variables are taken out, less function names
/// (a name followed by "(") and PromQL's keywords.
/// </summary>
public static partial class PromQl
{
    private static readonly HashSet<string> Keywords = new(StringComparer.Ordinal)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan", "Inf", "NaN",
    };

    public static IReadOnlySet<string> MetricNames(string expression)
    {
        var s = Strings().Replace(expression, " ");
        s = GrafanaVariables().Replace(s, " ");
        s = LabelMatchers().Replace(s, " ");
        s = Brackets().Replace(s, " ");
        s = Grouping().Replace(s, " ");
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in Identifier().Matches(s))
        {
            if (!m.Groups["call"].Success && !Keywords.Contains(m.Groups["name"].Value))
            {
                names.Add(m.Groups["name"].Value);
            }
        }

        return names;
    }

    /// <summary>Every "expr" in a Grafana dashboard's JSON (panels, rows, nested panels alike).</summary>
    public static IEnumerable<string> DashboardExpressions(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    if (property.Name == "expr" && property.Value.ValueKind == JsonValueKind.String)
                    {
                        yield return property.Value.GetString()!;
                    }
                    else
                    {
                        foreach (var e in DashboardExpressions(property.Value))
                        {
                            yield return e;
                        }
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var e in DashboardExpressions(item))
                    {
                        yield return e;
                    }
                }

                break;
        }
    }

    /// <summary>Every <c>expr:</c> of a Prometheus rules file, on one line or as a <c>|</c> / <c>&gt;</c> block.</summary>
    public static IEnumerable<string> RuleExpressions(string yaml)
    {
        var lines = yaml.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var m = ExprLine().Match(lines[i]);
            if (!m.Success)
            {
                continue;
            }

            var value = m.Groups["value"].Value.Trim();
            if (value is "|" or ">" or "|-" or ">-")
            {
                var indent = m.Groups["indent"].Value.Length;
                var block = new List<string>();
                while (i + 1 < lines.Length && (lines[i + 1].Trim().Length == 0 || lines[i + 1].Length - lines[i + 1].TrimStart().Length > indent))
                {
                    block.Add(lines[++i]);
                }

                yield return string.Join("\n", block);
            }
            else
            {
                yield return value.Trim('"', '\'');
            }
        }
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\$\{[^}]*\}|\$\w+")]
    private static partial Regex GrafanaVariables();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(?<![\w.:])(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(?<call>\s*\()?")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^(?<indent>\s*)(?:-\s+)?expr:\s*(?<value>.*)$")]
    private static partial Regex ExprLine();
}
