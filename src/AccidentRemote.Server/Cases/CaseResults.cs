using Microsoft.AspNetCore.Http.HttpResults;

namespace AccidentRemote.Server.Cases;

/// <summary>The one mapping from a refused <see cref="CaseChange"/> to HTTP, for every feature's endpoints.</summary>
public static class CaseResults
{
    /// <summary>The 404 for a case that does not exist or that the caller may not see (the two are not told apart).</summary>
    public static ProblemHttpResult NoSuchCase(Guid? caseId = null) =>
        TypedResults.Problem(statusCode: 404, title: "No such case.",
            detail: caseId is { } id ? $"There is no case {id} that you can see." : "There is no case that you can see with this id.");

    /// <summary>The 403 for police staff who may see that a case exists but do not handle it.</summary>
    public static ProblemHttpResult NotHandling() =>
        TypedResults.Problem(statusCode: 403, title: "Another officer handles this case.",
            detail: "Personal data and details of a case are for the officer who accepted it and for supervisors. Accept a waiting case from the queue, or ask a supervisor.");

    /// <summary>The 403 for an officer acting on a case another officer accepted.</summary>
    public static ProblemHttpResult NotYours(Guid? officerId, string what = "change it") =>
        TypedResults.Problem(statusCode: 403, title: "Another officer handles this case.",
            detail: officerId is null ? "Accept the case first." : $"Officer {officerId} accepted it; only they or a supervisor can {what}.");

    /// <summary>The 409 for a request that does not fit the case's state: the state in the title and in <c>caseStatus</c>.</summary>
    public static ProblemHttpResult StateConflict(string status, string detail) =>
        TypedResults.Problem(statusCode: 409, title: $"The case is {status}.", detail: detail,
            extensions: new Dictionary<string, object?> { ["caseStatus"] = status });

    /// <summary>The HTTP answer to a refusal (anything but <see cref="CaseChange.Done"/>).</summary>
    public static IResult Refusal(CaseChange change, Guid? caseId = null) => change switch
    {
        CaseChange.NotFound => NoSuchCase(caseId),
        CaseChange.WrongState s => StateConflict(s.Status, s.Reason),
        CaseChange.NotYours n => NotYours(n.OfficerId),
        CaseChange.Invalid i => TypedResults.ValidationProblem(new Dictionary<string, string[]> { [i.Field] = [i.Reason] }),
        CaseChange.Done => throw new InvalidOperationException("A change that was done is not a refusal."),
        _ => throw new InvalidOperationException("Unknown case change result."),
    };
}
