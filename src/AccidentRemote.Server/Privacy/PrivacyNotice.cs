using AccidentRemote.Server.Cases;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace AccidentRemote.Server.Privacy;

/// <summary>
/// The privacy notice the driver page shows before it asks for location, camera or microphone
/// (its words are in ClientApp/src/i18n/*.json under <c>consent.*</c>). Change those words and
/// you change <see cref="Version"/> here and <c>consent.version</c> there: a test holds them equal.
/// </summary>
public static class PrivacyNotice
{
    public const string Version = "2026-12-03";

    public static readonly IReadOnlyList<string> Languages = ["zh-CN", "en"];

    /// <summary>
    /// Null and the consent to store when the request carries an agreement to the current notice;
    /// otherwise the localised 400 that tells the driver to read the notice and agree.
    /// </summary>
    public static ValidationProblem? Check(ConsentInput? input, TimeProvider clock, IStringLocalizer<DriverMessages> text, out PartyConsent? consent)
    {
        consent = null;
        string? problem = input switch
        {
            null or { Agreed: not true } => "Consent.missing",
            { NoticeVersion: var v } when v != Version => "Consent.outdated",
            { Language: var l } when l is null || !Languages.Contains(l) => "Consent.language",
            _ => null,
        };
        if (problem is not null)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["consent"] = [text[problem].Value] },
                title: text["Consent.title"].Value);
        }

        consent = new PartyConsent(Version, input!.Language!, clock.GetUtcNow());
        return null;
    }

    /// <summary>What the page fills into the notice: whole days, rounded up.</summary>
    public static NoticeView View(PrivacyOptions o) => new(
        Version, Languages,
        new RetentionView(Days(o.Retention.EvidenceFiles), Days(o.Retention.PersonalData), Days(o.Retention.StaffSessions)));

    private static int Days(TimeSpan t) => (int)Math.Ceiling(t.TotalDays);
}

/// <summary>The notice's check of a report or join, for Cases.</summary>
public sealed class PrivacyConsentCheck(TimeProvider clock, IStringLocalizer<DriverMessages> text) : IConsentCheck
{
    public ValidationProblem? Check(ConsentInput? input, out PartyConsent? consent) => PrivacyNotice.Check(input, clock, text, out consent);
}

/// <summary>The current notice's version and the retention periods it states.</summary>
public sealed record NoticeView(string Version, IReadOnlyList<string> Languages, RetentionView Retention);

/// <summary>Days after the case ends (staff sessions: after they expire).</summary>
public sealed record RetentionView(int EvidenceFilesDays, int PersonalDataDays, int StaffSessionsDays);
