using AccidentRemote.Server.Cases;
using System.Globalization;
using System.Security.Claims;
using AccidentRemote.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AccidentRemote.Server.Evidence;

public static class EvidenceEndpoints
{
    /// <summary>Room for the multipart framing and the small fields around the file.</summary>
    public const long FormOverheadBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapEvidence(this IEndpointRouteBuilder app)
    {
        var limits = app.ServiceProvider.GetRequiredService<IOptions<EvidenceOptions>>().Value;
        var group = app.MapGroup("/api").WithTags("Evidence").RequireAuthorization(AuthExtensions.CasePolicy);
        group.MapPost("/cases/{caseId:guid}/evidence", Upload)
            // Callers authenticate with an Authorization: Bearer token that a browser never attaches by
            // itself and there is no cookie sign-in, so there is no cross-site request to forge. (The form is
            // read by hand here, which adds no antiforgery metadata; this stays right if someone binds IFormFile.)
            .DisableAntiforgery()
            // Kestrel stops the body at this size; the handler also counts the file's bytes as they arrive.
            .WithMetadata(new UploadSizeLimit(limits.MaxBytes + FormOverheadBytes))
            .RequireRateLimiting(EvidenceUploadLimits.PerClientPolicy);
        group.MapGet("/cases/{caseId:guid}/evidence", List);
        group.MapGet("/evidence/{evidenceId:guid}/content", Content);
        app.MapGet("/api/evidence/{evidenceId:guid}/shared", Shared).WithTags("Evidence").AllowAnonymous();
        return app;
    }

    private sealed record UploadSizeLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;

    private static async Task<Results<Created<EvidenceItem>, Ok<EvidenceItem>, ProblemHttpResult, ValidationProblem>> Upload(
        Guid caseId, HttpRequest request, ClaimsPrincipal user, EvidenceStore store, EvidenceBlobs blobs, EvidenceCopies copies, EvidenceUploadLimits rate,
        IStringLocalizer<DriverMessages> text, IOptions<EvidenceOptions> options, CaseTransactions transactions,
        ILoggerFactory loggers, CancellationToken ct)
    {
        var log = loggers.CreateLogger(typeof(EvidenceEndpoints).Namespace!);
        var access = await store.FindCaseAsync(caseId, ct);
        if (access is null || !CanSee(user, access, evenAfterEnd: true))
        {
            return CaseResults.NoSuchCase(caseId);
        }

        if (EvidenceStore.ClosedStates.Contains(access.Status))
        {
            return CaseNotOpen(access.Status);
        }

        var limits = options.Value;
        CaseActor actor = user.IsParty() ? new CaseActor.Party(user.PartyId()!.Value) : new CaseActor.Officer(user.OfficerId(), user.IsInRole(Roles.Supervisor));
        var uploader = actor.Name;
        if (!rate.TryTake(uploader))
        {
            var (title, detail) = EvidenceUploadLimits.TooMany(text, limits.UploadsPerMinutePerParty);
            request.HttpContext.Response.Headers.RetryAfter = "60";
            return TypedResults.Problem(statusCode: 429, title: title, detail: detail,
                extensions: new Dictionary<string, object?> { [Problems.CodeExtension] = "Evidence.TooFast" });
        }

        // Refused before a byte of the file is written, when the budget is already used up.
        if (OverBudget(await store.UsageAsync(caseId, uploader, ct), 0, limits, text) is { } full)
        {
            log.LogInformation("Evidence upload for case {CaseId} refused: budget used up", caseId);
            return full;
        }

        using var form = new UploadForm();
        if (await form.ReadAsync(request, blobs, limits, ct) is { } unreadable)
        {
            log.LogInformation("Evidence upload for case {CaseId} refused: {Reason}", caseId, unreadable.ProblemDetails.Title);
            return unreadable;
        }

        var errors = new Dictionary<string, string[]>();
        var fields = form.ReadFields(user, access, errors);
        if (errors.Count > 0 || fields is null)
        {
            return Problems.Invalid("Evidence.Invalid", errors);
        }

        var file = form.File!;
        Inspection inspection;
        await using (var content = file.OpenRead())
        {
            inspection = EvidenceInspector.Inspect(content, limits);
        }

        if (inspection is Inspection.Refused refused)
        {
            log.LogInformation("Evidence upload for case {CaseId} refused: {Reason}", caseId, refused.Code);
            return TypedResults.Problem(statusCode: 400, title: refused.Title, detail: refused.Detail,
                extensions: new Dictionary<string, object?> { [Problems.CodeExtension] = refused.Code });
        }

        var accepted = (Inspection.Accepted)inspection;
        if (fields.Kind != EvidenceKind.Document && !accepted.IsImage)
        {
            return Problems.Of(400, "Evidence.NotImage", fields.Kind);
        }

        if (await store.FindByHashAsync(caseId, file.Sha256, ct) is { } earlier)
        {
            return TypedResults.Ok(earlier.ToItem());
        }

        if (OverBudget(await store.UsageAsync(caseId, uploader, ct), file.Size, limits, text) is { } wouldOverflow)
        {
            log.LogInformation("Evidence upload for case {CaseId} refused: budget used up", caseId);
            return wouldOverflow;
        }

        // The copy that insurers get: made now, while the accepted file is at hand.
        EvidenceCopyRow? copy;
        await using (var content = file.OpenRead())
        {
            copy = await copies.MakeAsync(content, file.Sha256, accepted.ContentType, ct);
        }

        blobs.Commit(file);
        var begin = await transactions.BeginAsync(caseId, actor, null, ct);
        if (begin.Refused)
        {
            return Refused(begin.Refusal, caseId);
        }

        EvidenceRow row;
        EvidenceAdd added;
        await using (var tx = begin.Transaction)
        {
            // PostgreSQL keeps microseconds: drop the rest, so the 201 body equals what is read back later.
            row = new EvidenceRow
            {
                Id = Guid.NewGuid(),
                CaseId = caseId,
                PartyId = fields.PartyId,
                Kind = fields.Kind,
                Angle = fields.Angle,
                ContentType = accepted.ContentType,
                Size = file.Size,
                Width = accepted.Width,
                Height = accepted.Height,
                Sha256 = file.Sha256,
                CapturedBy = uploader,
                CapturedAt = tx.Now.AddTicks(-(tx.Now.Ticks % 10)),
                Latitude = fields.Latitude,
                Longitude = fields.Longitude,
            };
            added = await EvidenceStore.AddAsync(tx, row, copy, limits.MaxItemsPerCase, limits.MaxItemsPerParty);
            if (added is EvidenceAdd.Added)
            {
                if (await tx.CommitAsync(ct) is not CaseChange.Done and var lost)
                {
                    return Refused(lost, caseId);
                }
            }
        }

        switch (added)
        {
            case EvidenceAdd.Duplicate d:
                return TypedResults.Ok(d.Existing.ToItem());
            case EvidenceAdd.CaseNotOpen n:
                return n.Status is null ? CaseResults.NoSuchCase(caseId) : CaseNotOpen(n.Status);
            case EvidenceAdd.OverBudget:
                return OverBudget(await store.UsageAsync(caseId, uploader, ct), file.Size, limits, text)
                    ?? OverBudget(new EvidenceUsage(limits.MaxItemsPerCase, 0, 0, 0), 0, limits, text)!;
        }

        log.LogInformation("Evidence {EvidenceId} added to case {CaseId}: {Kind}, {ContentType}, {Size} bytes", row.Id, caseId, row.Kind, row.ContentType, row.Size);
        return TypedResults.Created($"/api/evidence/{row.Id}/content", row.ToItem());
    }

    private static async Task<Results<Ok<List<EvidenceItem>>, ProblemHttpResult>> List(Guid caseId, ClaimsPrincipal user, EvidenceStore store, CancellationToken ct)
    {
        var access = await store.FindCaseAsync(caseId, ct);
        if (access is null || !CanSee(user, access))
        {
            return CaseResults.NoSuchCase(caseId);
        }

        return TypedResults.Ok((await store.ListAsync(caseId, ct)).Select(r => r.ToItem()).ToList());
    }

    /// <summary>
    /// A claim's signed link: no sign-in, but a tampered, expired or other claim's link gets 403. It serves the item's
    /// clean copy (re-encoded, no EXIF), and only an item that claim's insurer may receive.
    /// </summary>
    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Shared(
        Guid evidenceId, Guid? claim, long? expires, string? sig, HttpContext http, EvidenceLinks links, EvidenceStore store, EvidenceCopies copies,
        EvidenceBlobs blobs, CancellationToken ct)
    {
        if (await links.CheckAsync(claim, evidenceId, expires, sig, ct) is { } problem)
        {
            return Problems.WithDetail(403, "Evidence.Link", problem);
        }

        var item = await store.FindAsync(evidenceId, ct);
        var insured = await store.ClaimPartyAsync(claim!.Value, ct);
        if (item is null || insured is null || insured.Value.CaseId != item.CaseId)
        {
            return Problems.Of(404, "Evidence.NotFound");
        }

        return await ServeCopyAsync(item, insured.Value.PartyId, http, copies, blobs, ct);
    }

    /// <summary>
    /// Serves the clean copy of an item to the insurer of <paramref name="insuredPartyId"/> (a claim link or the insurer desk):
    /// 404 for an item that insurer does not receive (the other party's documents, PDFs).
    /// </summary>
    public static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> ServeCopyAsync(
        EvidenceRow item, Guid insuredPartyId, HttpContext http, EvidenceCopies copies, EvidenceBlobs blobs, CancellationToken ct)
    {
        if (!EvidenceSharing.IsForInsurerOf(insuredPartyId, item.Kind, item.Angle, item.PartyId, item.ContentType))
        {
            return Problems.Of(404, "Evidence.NotShared");
        }

        var copy = await copies.ForAsync(item, ct);
        var stream = copy is null ? null : blobs.OpenCopyRead(copy.Sha256);
        if (copy is null || stream is null)
        {
            return Problems.Of(500, "Evidence.Missing");
        }

        SetServingHeaders(http, item.Id, copy.ContentType);
        return TypedResults.Stream(stream, copy.ContentType, entityTag: new EntityTagHeaderValue($"\"{copy.Sha256}\""), enableRangeProcessing: true);
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Content(
        Guid evidenceId, HttpContext http, EvidenceStore store, EvidenceBlobs blobs, AccidentRemote.Server.Audit.ReadAudit audit, CancellationToken ct)
    {
        var item = await store.FindAsync(evidenceId, ct);
        var access = item is null ? null : await store.FindCaseAsync(item.CaseId, ct);
        if (item is null || access is null || !CanSee(http.User, access))
        {
            return Problems.Of(404, "Evidence.NotFound");
        }

        if (!http.User.IsParty() && (item.Kind == EvidenceKind.Document || item.Angle is "licence" or "registration"))
        {
            // A licence, a registration or a document shows the driver's name and numbers: the read is audited.
            await audit.RecordAsync(http.User, item.CaseId, $"evidence:{item.Angle ?? item.Kind}:{item.Id}", "evidence.content", ct);
        }

        return Serve(item, http, blobs);
    }

    private static Results<FileStreamHttpResult, ProblemHttpResult> Serve(EvidenceRow item, HttpContext http, EvidenceBlobs blobs)
    {
        var stream = blobs.OpenRead(item.Sha256);
        if (stream is null)
        {
            return Problems.Of(500, "Evidence.Missing");
        }

        SetServingHeaders(http, item.Id, item.ContentType);
        return TypedResults.Stream(stream, item.ContentType, entityTag: new EntityTagHeaderValue($"\"{item.Sha256}\""), enableRangeProcessing: true);
    }

    private static void SetServingHeaders(HttpContext http, Guid id, string contentType)
    {
        // Served as exactly the type that was checked at upload, never sniffed, and sandboxed: even a file
        // that got past the checks cannot run script in this origin. Evidence is personal: never stored in any cache,
        // the officer's browser included (the console shows it from blob URLs it revokes when the case is left).
        var headers = http.Response.Headers;
        headers[HeaderNames.XContentTypeOptions] = "nosniff";
        headers[HeaderNames.ContentSecurityPolicy] = "sandbox";
        headers[HeaderNames.CacheControl] = "private, no-store";
        var disposition = new ContentDispositionHeaderValue(contentType == EvidenceInspector.Pdf ? "attachment" : "inline");
        disposition.SetHttpFileName($"evidence-{id}.{EvidenceInspector.ExtensionFor(contentType)}");
        headers[HeaderNames.ContentDisposition] = disposition.ToString();
    }

    /// <summary>
    /// By <see cref="CaseAccessRule"/>: the officer who accepted the case, supervisors, and the case's parties while
    /// it is open (an upload after the end is told so). Everyone else is told it does not exist.
    /// </summary>
    private static bool CanSee(ClaimsPrincipal user, CaseAccess access, bool evenAfterEnd = false)
    {
        var decision = CaseAccessRule.Decide(user, access.CaseId, access.OfficerId, access.Status);
        return decision.SeesPersonalData || decision.IsLiveParty || (evenAfterEnd && decision.IsParty);
    }

    /// <summary>
    /// 409 when adding <paramref name="size"/> more bytes (and one item) would pass the uploader's or the case's budget,
    /// saying in the driver's language what the budget is and what was used; null when it fits.
    /// </summary>
    private static ProblemHttpResult? OverBudget(EvidenceUsage used, long size, EvidenceOptions limits, IStringLocalizer<DriverMessages> text)
    {
        static string Mb(long bytes) => (bytes / (1024.0 * 1024.0)).ToString("0.#", CultureInfo.CurrentCulture);
        if (used.UploaderItems >= limits.MaxItemsPerParty || used.UploaderBytes + size > limits.MaxBytesPerParty)
        {
            return TypedResults.Problem(statusCode: 409, title: text["Evidence.PartyBudget.Title"],
                detail: string.Format(CultureInfo.CurrentCulture, text["Evidence.PartyBudget.Detail"], limits.MaxItemsPerParty, Mb(limits.MaxBytesPerParty), used.UploaderItems, Mb(used.UploaderBytes)),
                extensions: new Dictionary<string, object?> { ["budget"] = "party", [Problems.CodeExtension] = "Evidence.PartyBudget" });
        }

        if (used.CaseItems >= limits.MaxItemsPerCase || used.CaseBytes + size > limits.MaxBytesPerCase)
        {
            return TypedResults.Problem(statusCode: 409, title: text["Evidence.CaseBudget.Title"],
                detail: string.Format(CultureInfo.CurrentCulture, text["Evidence.CaseBudget.Detail"], limits.MaxItemsPerCase, Mb(limits.MaxBytesPerCase), used.CaseItems, Mb(used.CaseBytes)),
                extensions: new Dictionary<string, object?> { ["budget"] = "case", [Problems.CodeExtension] = "Evidence.CaseBudget" });
        }

        return null;
    }

    /// <summary>The case transaction refused the upload (the case is gone, or no longer the uploader's): the shared mapping.</summary>
    private static ProblemHttpResult Refused(CaseChange change, Guid caseId) =>
        CaseResults.Refusal(change, caseId) as ProblemHttpResult ?? CaseResults.NoSuchCase(caseId);

    private static ProblemHttpResult CaseNotOpen(string status) =>
        CaseResults.StateConflict(status, ServerText.Get("Evidence.CaseOver"));
}
