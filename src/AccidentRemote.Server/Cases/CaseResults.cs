using Microsoft.AspNetCore.Http.HttpResults;

namespace AccidentRemote.Server.Cases;

/// <summary>The one mapping from a refused <see cref="CaseChange"/> to HTTP, for every feature's endpoints.</summary>
public static class CaseResults
{
    /// <summary>The 404 for a case that does not exist or that the caller may not see (the two are not told apart).</summary>
    public static ProblemHttpResult NoSuchCase(Guid? caseId = null) => Problems.Of(404, "Case.NotFound");

    /// <summary>The 403 for police staff who may see that a case exists but do not handle it.</summary>
    public static ProblemHttpResult NotHandling() => Problems.Of(403, "Case.NotHandling");

    /// <summary>The 403 for an officer acting on a case another officer accepted (or nobody has accepted yet).</summary>
    public static ProblemHttpResult NotYours(Guid? officerId) =>
        Problems.Of(403, officerId is null ? "Case.NotAccepted" : "Case.NotYours");

    /// <summary>
    /// The 409 for a request that does not fit the case's state: the state in words in the title, the
    /// reason (already in the request's language) as detail, the state's name in <c>caseStatus</c>.
    /// </summary>
    public static ProblemHttpResult StateConflict(string status, string detail) =>
        TypedResults.Problem(statusCode: 409, title: ServerText.Get("Case.WrongState.title", StatusInWords(status)), detail: detail,
            extensions: new Dictionary<string, object?> { [Problems.CodeExtension] = "Case.WrongState", ["caseStatus"] = status });

    private static readonly string[] Statuses =
    [
        CaseStatus.Reported, CaseStatus.Queued, CaseStatus.InCall, CaseStatus.VehiclesMoved, CaseStatus.LiabilityDetermined,
        CaseStatus.AwaitingSignatures, CaseStatus.Closed, CaseStatus.Escalated, CaseStatus.Abandoned,
    ];

    /// <summary>A case state in words for people ("in a video call"), never its machine name.</summary>
    public static string StatusInWords(string status) =>
        Statuses.Contains(status) ? ServerText.Get("Case.Status." + status) : ServerText.Get("Case.Status.other");

    /// <summary>The HTTP answer to a refusal (anything but <see cref="CaseChange.Done"/>).</summary>
    public static IResult Refusal(CaseChange change, Guid? caseId = null) => change switch
    {
        CaseChange.NotFound => NoSuchCase(caseId),
        CaseChange.WrongState s => StateConflict(s.Status, s.Reason),
        CaseChange.NotYours n => NotYours(n.OfficerId),
        CaseChange.Invalid i => Problems.Invalid("Validation", new Dictionary<string, string[]> { [i.Field] = [i.Reason] }),
        CaseChange.Done => throw new InvalidOperationException("A change that was done is not a refusal."),
        _ => throw new InvalidOperationException("Unknown case change result."),
    };
}
