using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Documents;

/// <summary>What the public may know about a document: no names, plates, phones or ID numbers.</summary>
public sealed record VerificationView(
    string VerificationCode,
    bool Genuine,
    string Result,
    string DocumentNumber,
    int Version,
    int LatestVersion,
    bool Superseded,
    DateTimeOffset IssuedAt,
    string Sha256,
    string CaseStatus,
    bool StoredCopyIntact,
    UploadCheck? Upload = null)
{
    public const string GenuineResult = "genuine";
    public const string StoredCopyAlteredResult = "stored-copy-altered";

    internal static VerificationView From(StoredDocument d, UploadCheck? upload = null)
    {
        var intact = d.StoredCopyIntact;
        return new(d.VerificationCode, intact, intact ? GenuineResult : StoredCopyAlteredResult, d.Number, d.Version, d.LatestVersion,
            d.LatestVersion > d.Version, d.IssuedAt, d.Sha256, d.CaseStatus, intact, upload);
    }
}

/// <summary>An uploaded file compared with the document: <c>unaltered</c> when its SHA-256 is the one recorded at issue.</summary>
public sealed record UploadCheck(string Sha256, long Size, bool Unaltered, string Result)
{
    internal static UploadCheck Of(byte[] bytes, StoredDocument d)
    {
        var sha = DocumentStore.Sha256Hex(bytes);
        var same = sha == d.Sha256;
        return new(sha, bytes.Length, same, same ? "unaltered" : "altered");
    }
}

public static class VerifyEndpoints
{
    // Room for the multipart boundaries and headers around the file itself.
    private const long MultipartSlack = 64 * 1024;

    public static IEndpointRouteBuilder MapDocuments(this IEndpointRouteBuilder app)
    {
        var max = app.ServiceProvider.GetRequiredService<IOptions<DocumentOptions>>().Value.MaxUploadBytes;
        var pages = app.MapGroup("/verify").WithTags("Document verification").AllowAnonymous();
        pages.MapGet("/{code}", Page).RequireRateLimiting(DocumentsExtensions.LookupRateLimit);
        // Antiforgery is off on purpose: the form is public and anonymous, and checking a file
        // changes nothing on the server, so a forged cross-site post gains an attacker nothing.
        pages.MapPost("/{code}", UploadPage).RequireRateLimiting(DocumentsExtensions.UploadRateLimit)
            .DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(max + MultipartSlack));

        var api = app.MapGroup("/api/verify").WithTags("Document verification").AllowAnonymous();
        api.MapGet("/{code}", Json).RequireRateLimiting(DocumentsExtensions.LookupRateLimit);
        api.MapPost("/{code}", UploadJson).RequireRateLimiting(DocumentsExtensions.UploadRateLimit)
            .DisableAntiforgery().WithMetadata(new RequestSizeLimitAttribute(max + MultipartSlack));
        return app;
    }

    private static async Task<IResult> Page(string code, HttpContext http, DocumentStore store, IOptions<DocumentOptions> options, CancellationToken ct)
    {
        var document = await FindAsync(code, store, ct);
        return document is null
            ? VerifyPage.Html(http, 404, VerifyPage.NotFound(code))
            : VerifyPage.Html(http, 200, VerifyPage.Facts(VerificationView.From(document), options.Value.AuthorityName));
    }

    private static async Task<IResult> UploadPage(string code, HttpContext http, DocumentStore store, IOptions<DocumentOptions> options, CancellationToken ct)
    {
        var document = await FindAsync(code, store, ct);
        if (document is null)
        {
            return VerifyPage.Html(http, 404, VerifyPage.NotFound(code));
        }

        var upload = await ReadUploadAsync(http.Request, options.Value.MaxUploadBytes, ct);
        var view = VerificationView.From(document, upload.Bytes is null ? null : UploadCheck.Of(upload.Bytes, document));
        return VerifyPage.Html(http, upload.Status, VerifyPage.Facts(view, options.Value.AuthorityName, upload.Error));
    }

    private static async Task<Results<Ok<VerificationView>, ProblemHttpResult>> Json(string code, DocumentStore store, CancellationToken ct)
    {
        var document = await FindAsync(code, store, ct);
        return document is null ? NotFound() : TypedResults.Ok(VerificationView.From(document));
    }

    private static async Task<Results<Ok<VerificationView>, ProblemHttpResult>> UploadJson(
        string code, HttpRequest request, DocumentStore store, IOptions<DocumentOptions> options, CancellationToken ct)
    {
        var document = await FindAsync(code, store, ct);
        if (document is null)
        {
            return NotFound();
        }

        var upload = await ReadUploadAsync(request, options.Value.MaxUploadBytes, ct);
        return upload.Bytes is null
            ? Problems.WithDetail(upload.Status, "Verify.Unreadable", upload.Error)
            : TypedResults.Ok(VerificationView.From(document, UploadCheck.Of(upload.Bytes, document)));
    }

    private static async Task<StoredDocument?> FindAsync(string code, DocumentStore store, CancellationToken ct) =>
        VerificationCodes.Normalize(code) is { } canonical ? await store.FindByCodeAsync(canonical, ct) : null;

    private static ProblemHttpResult NotFound() => Problems.Of(404, "Verify.NotFound", VerificationCodes.Length);

    /// <summary>The bytes of the multipart field <c>file</c>, or why there are none (with the HTTP status to answer).</summary>
    private static async Task<(byte[]? Bytes, int Status, string? Error)> ReadUploadAsync(HttpRequest request, long max, CancellationToken ct)
    {
        var tooLarge = ServerText.Get("Verify.TooLarge", (max / (1024 * 1024.0)).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture));
        if (!request.HasFormContentType)
        {
            return (null, 400, ServerText.Get("Verify.NotForm"));
        }

        if (request.ContentLength > max + MultipartSlack)
        {
            return (null, 413, tooLarge);
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(ct);
        }
        catch (Exception ex) when (ex is InvalidDataException || (ex is BadHttpRequestException { StatusCode: 413 }))
        {
            return (null, 413, tooLarge);
        }

        var file = form.Files.GetFile("file");
        if (file is null || file.Length == 0)
        {
            return (null, 400, ServerText.Get("Verify.NoFile"));
        }

        if (file.Length > max)
        {
            return (null, 413, tooLarge);
        }

        var bytes = new byte[file.Length];
        await using var stream = file.OpenReadStream();
        await stream.ReadExactlyAsync(bytes, ct);
        return (bytes, 200, null);
    }
}
