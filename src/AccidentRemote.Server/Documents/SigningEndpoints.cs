using System.Security.Claims;
using AccidentRemote.Server.Audit;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Cases;

namespace AccidentRemote.Server.Documents;

public static class SigningEndpoints
{
    public static IEndpointRouteBuilder MapSigning(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/cases/{caseId:guid}").WithTags("Document and signatures");
        group.MapPost("/document", Issue).RequireAuthorization(AuthExtensions.StaffPolicy);
        group.MapGet("/document", Current).RequireAuthorization(AuthExtensions.CasePolicy);
        group.MapGet("/document/pdf", Pdf).RequireAuthorization(AuthExtensions.CasePolicy);
        group.MapPost("/signature", Sign).RequireAuthorization(AuthExtensions.PartyPolicy);
        group.MapPost("/objection", Object).RequireAuthorization(AuthExtensions.PartyPolicy).RequireRateLimiting(DocumentsExtensions.ObjectionRateLimit);
        return app;
    }

    private static async Task<IResult> Issue(Guid caseId, IssueDocumentRequest request, ClaimsPrincipal user, SigningWorkflow workflow,
        Microsoft.Extensions.Options.IOptions<DocumentOptions> options, ReadAudit audit, CancellationToken ct)
    {
        if (DocumentOptions.FontProblem(options.Value) is { } fonts)
        {
            return Problems.Of(503, "Document.NoFonts", fonts);
        }

        var errors = new Dictionary<string, string[]>();
        if (request.Weather is null || !SigningWorkflow.Weathers.Contains(request.Weather))
        {
            errors["weather"] = [ServerText.Get("Document.Weather", string.Join(" ", SigningWorkflow.Weathers))];
        }

        if (request.MediationResult is { Length: > 1000 })
        {
            errors["mediationResult"] = [ServerText.Get("Document.MediationTooLong")];
        }
        else if (Cases.RequestValidation.UnsafeCharacter(request.MediationResult, multiline: true) is not null)
        {
            errors["mediationResult"] = [ServerText.Get("Text.Unsafe")];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid("Document.Invalid", errors);
        }

        var (change, _) = await workflow.IssueAsync(caseId, user.OfficerId(), user.IsInRole(Roles.Supervisor), request, ct);
        return change is CaseChange.Done
            ? TypedResults.Ok(await workflow.CurrentAsync(caseId, ct))
            : CaseResults.Refusal(change, caseId);
    }

    private static async Task<IResult> Current(Guid caseId, ClaimsPrincipal user, CaseHeads cases, SigningWorkflow workflow, CancellationToken ct)
    {
        if (!await MayReadAsync(caseId, user, cases, ct))
        {
            return CaseResults.NoSuchCase(caseId);
        }

        var current = await workflow.CurrentAsync(caseId, ct);
        return current is null
            ? Problems.Of(404, "Document.None")
            : TypedResults.Ok(ForReader(current, user));
    }

    private static async Task<IResult> Pdf(Guid caseId, ClaimsPrincipal user, CaseHeads cases, DocumentStore documents, ReadAudit audit, CancellationToken ct)
    {
        if (!await MayReadAsync(caseId, user, cases, ct))
        {
            return CaseResults.NoSuchCase(caseId);
        }

        var all = await documents.ListForCaseAsync(caseId, ct);
        if (all.Count == 0)
        {
            return Problems.Of(404, "Document.None");
        }

        if (!user.IsParty())
        {
            // The document prints every party's name, ID number and phone.
            await audit.RecordAsync(user, caseId, "name,idNumber,phone", "document.pdf", ct);
        }

        var pdf = await documents.GetPdfAsync(all[0].Id, ct);
        return TypedResults.File(pdf!, "application/pdf", $"accident-document-{string.Concat(all[0].Number.Where(char.IsAsciiDigit))}-v{all[0].Version}.pdf");
    }

    private static async Task<IResult> Sign(Guid caseId, SignatureRequest request, ClaimsPrincipal user, SigningWorkflow workflow, CancellationToken ct)
    {
        if (user.PartyCaseId() != caseId)
        {
            return CaseResults.NoSuchCase(caseId);
        }

        var (png, problem) = SigningWorkflow.ReadSignature(request.Png);
        if (problem is not null)
        {
            return Problems.Invalid("Signature.Invalid", new Dictionary<string, string[]> { ["png"] = [problem] });
        }

        var change = await workflow.SignAsync(caseId, user.PartyId()!.Value, png!, ct);
        return change is CaseChange.Done
            ? TypedResults.Ok(await workflow.CurrentAsync(caseId, ct))
            : CaseResults.Refusal(change, caseId);
    }

    /// <summary>
    /// "I disagree" instead of signing: only a party of this case, for itself (the token's party), while the newest version
    /// awaits its signature. The case stays awaiting signatures; the officer's console is told at once.
    /// </summary>
    private static async Task<IResult> Object(Guid caseId, ObjectionRequest request, ClaimsPrincipal user, SigningWorkflow workflow, CancellationToken ct)
    {
        if (user.PartyCaseId() != caseId)
        {
            return CaseResults.NoSuchCase(caseId);
        }

        var errors = new Dictionary<string, string[]>();
        var reasons = (request.Reasons ?? []).Distinct(StringComparer.Ordinal).ToList();
        if (reasons.Any(r => !ObjectionStore.Reasons.Contains(r)))
        {
            errors["reasons"] = [ServerText.Get("Objection.Reasons")];
        }

        var text = string.IsNullOrWhiteSpace(request.Text) ? null : request.Text.Trim();
        if (text is { Length: > ObjectionStore.MaxTextLength })
        {
            errors["text"] = [ServerText.Get("Objection.TextTooLong", ObjectionStore.MaxTextLength)];
        }
        else if (Cases.RequestValidation.UnsafeCharacter(text, multiline: true) is not null)
        {
            errors["text"] = [ServerText.Get("Objection.UnsafeText")];
        }

        if (errors.Count == 0 && reasons.Count == 0 && text is null)
        {
            errors["text"] = [ServerText.Get("Objection.Empty")];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid("Objection.Invalid", errors);
        }

        var change = await workflow.ObjectAsync(caseId, user.PartyId()!.Value, reasons, text, ct);
        return change is CaseChange.Done
            ? TypedResults.Ok(ForReader((await workflow.CurrentAsync(caseId, ct))!, user))
            : CaseResults.Refusal(change, caseId);
    }

    /// <summary>A party sees that another party objected, not what it wrote; staff and the party itself see all of it.</summary>
    private static CaseDocumentView ForReader(CaseDocumentView view, ClaimsPrincipal user) =>
        !user.IsParty()
            ? view
            : view with
            {
                Signatures = view.Signatures.Select(s => s.PartyId == user.PartyId() || s.Objection is null
                    ? s
                    : s with { Objection = s.Objection with { Text = null } }).ToList(),
            };

    /// <summary>The document is for the case's parties (also after it ended), its officer and supervisors: <see cref="CaseAccessRule"/>.</summary>
    private static async Task<bool> MayReadAsync(Guid caseId, ClaimsPrincipal user, CaseHeads cases, CancellationToken ct)
    {
        var head = await cases.FindAsync(caseId, ct);
        var access = head is null ? CaseAccessDecision.None : CaseAccessRule.Decide(user, head);
        return access.IsParty || access.SeesPersonalData;
    }

}
