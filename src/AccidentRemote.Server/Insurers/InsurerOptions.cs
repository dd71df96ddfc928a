using System.Text.RegularExpressions;

namespace AccidentRemote.Server.Insurers;

/// <summary>The insurer catalogue. Section <c>Insurers</c>: a list of code and names.</summary>
public sealed class InsurerOptions
{
    public const string Section = "Insurers";

    public List<InsurerEntry> Catalogue { get; set; } = [];

    /// <summary>
    /// Insurer suggestions (GET /api/cases/{id}/insurer-suggestion) one client may ask for per
    /// minute; a budget of its own, so that asking never uses up reports and joins.
    /// </summary>
    public int SuggestionsPerMinutePerClient { get; set; } = 10;
}

/// <summary>One insurer. <see cref="Code"/> is the routing key and names its queue <c>claims.&lt;code&gt;</c>.</summary>
public sealed class InsurerEntry
{
    public string Code { get; set; } = "";

    public string NameZh { get; set; } = "";

    public string NameEn { get; set; } = "";

    /// <summary>The customer hotline the driver page shows beside the claim number (digits, spaces, '+', '-'); optional.</summary>
    public string? Hotline { get; set; }
}

public static partial class InsurerCodes
{
    [GeneratedRegex("^[a-z][a-z0-9-]{1,31}$")]
    public static partial Regex Pattern();

    [GeneratedRegex(@"^\+?[0-9][0-9 \-]{2,19}$")]
    private static partial Regex HotlinePattern();

    /// <summary>Says what is wrong with a catalogue, or null when it is fine.</summary>
    public static string? Validate(InsurerOptions options)
    {
        if (options.Catalogue.Count == 0)
        {
            return "Insurers:Catalogue is empty: configure at least one insurer (code, nameZh, nameEn).";
        }

        var errors = new List<string>();
        if (options.SuggestionsPerMinutePerClient is < 1 or > 10_000)
        {
            errors.Add($"Insurers:SuggestionsPerMinutePerClient is {options.SuggestionsPerMinutePerClient}: it must be between 1 and 10000.");
        }

        for (var i = 0; i < options.Catalogue.Count; i++)
        {
            var e = options.Catalogue[i];
            if (!Pattern().IsMatch(e.Code))
            {
                errors.Add($"Insurers:Catalogue:{i}:Code '{e.Code}' must be 2-32 lower-case letters, digits or '-', starting with a letter.");
            }

            if (string.IsNullOrWhiteSpace(e.NameZh) || string.IsNullOrWhiteSpace(e.NameEn))
            {
                errors.Add($"Insurers:Catalogue:{i} ('{e.Code}') needs both NameZh and NameEn.");
            }

            if (e.Hotline is not null && !HotlinePattern().IsMatch(e.Hotline))
            {
                errors.Add($"Insurers:Catalogue:{i}:Hotline '{e.Hotline}' must be 3-20 digits, spaces, '+' or '-' (e.g. 95518).");
            }
        }

        foreach (var dup in options.Catalogue.GroupBy(e => e.Code).Where(g => g.Count() > 1))
        {
            errors.Add($"Insurers:Catalogue lists code '{dup.Key}' {dup.Count()} times.");
        }

        return errors.Count == 0 ? null : string.Join(" ", errors);
    }
}
