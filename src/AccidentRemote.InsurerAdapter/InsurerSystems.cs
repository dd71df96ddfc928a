using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace AccidentRemote.InsurerAdapter;

/// <summary>What the insurer's system said to one hand-over: a report number, or a refusal that no retry will change.</summary>
internal sealed record HandOverResult(string? ClaimReportNumber, string? Refusal)
{
    public static HandOverResult Accepted(string number) => new(number, null);

    public static HandOverResult Refused(string why) => new(null, why);
}

/// <summary>
/// The insurer's claims system. A transient failure throws (and is retried); a permanent refusal
/// is a <see cref="HandOverResult.Refused"/> result (the claim goes to the dead-letter queue).
/// </summary>
internal interface IInsurerSystem
{
    /// <summary>The report number if the claim is provably there already, without handing it over again; else null.</summary>
    Task<string?> FindAsync(Guid claimId, CancellationToken ct);

    Task<HandOverResult> HandOverAsync(Guid claimId, ReadOnlyMemory<byte> claimJson, CancellationToken ct);
}

internal static partial class ReportNumbers
{
    // ClaimAcknowledged.ClaimReportNumber: 1-64 letters, digits or '-'.
    [GeneratedRegex("^[A-Za-z0-9-]{1,64}$")]
    public static partial Regex Pattern();
}

/// <summary>
/// HTTP mode: POSTs the claim JSON exactly as received, with header <c>Idempotency-Key: &lt;claimId&gt;</c>;
/// expects 2xx and <c>{ "claimReportNumber": "…" }</c>. 400 and 422 are permanent refusals; any
/// other failure is retried.
/// </summary>
internal sealed class HttpInsurerSystem(HttpClient http, Uri endpoint) : IInsurerSystem
{
    private sealed record Answer(string? ClaimReportNumber);

    // The adapter cannot ask the insurer's system whether it has a claim: redeliveries rely on the
    // adapter's own store, and on the Idempotency-Key for the one window the store cannot cover.
    public Task<string?> FindAsync(Guid claimId, CancellationToken ct) => Task.FromResult<string?>(null);

    public async Task<HandOverResult> HandOverAsync(Guid claimId, ReadOnlyMemory<byte> claimJson, CancellationToken ct)
    {
        using var content = new ReadOnlyMemoryContent(claimJson);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
        request.Headers.Add("Idempotency-Key", claimId.ToString());
        using var response = await http.SendAsync(request, ct);
        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity)
        {
            return HandOverResult.Refused($"the insurer's system refused the claim with HTTP {(int)response.StatusCode}");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"the insurer's system answered HTTP {(int)response.StatusCode}", null, response.StatusCode);
        }

        var answer = await response.Content.ReadFromJsonAsync<Answer>(ct);
        var number = answer?.ClaimReportNumber;
        if (number is null || !ReportNumbers.Pattern().IsMatch(number))
        {
            throw new HttpRequestException("the insurer's system answered 2xx without a valid claimReportNumber (1-64 letters, digits or '-')");
        }

        return HandOverResult.Accepted(number);
    }
}

/// <summary>
/// Folder mode: writes <c>&lt;claimId&gt;.json</c> (the claim JSON exactly as received) atomically:
/// first <c>.&lt;claimId&gt;.json.tmp</c>, flushed to disk, then renamed, so the insurer's system
/// never sees half a file (it must ignore names starting with '.'). The report number is made
/// here, deterministically: <c>&lt;CODE&gt;-&lt;first 16 hex digits of SHA-256(claimId)&gt;</c>, so
/// every redelivery, and anyone holding the claim id, gets the same one.
/// </summary>
internal sealed class FolderInsurerSystem(string folder, string insurerCode) : IInsurerSystem
{
    public static string ReportNumberFor(string insurerCode, Guid claimId) =>
        $"{insurerCode.ToUpperInvariant()}-{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(claimId.ToString("D"))), 0, 8)}";

    public Task<string?> FindAsync(Guid claimId, CancellationToken ct) =>
        Task.FromResult(File.Exists(FinalPath(claimId)) ? ReportNumberFor(insurerCode, claimId) : null);

    public async Task<HandOverResult> HandOverAsync(Guid claimId, ReadOnlyMemory<byte> claimJson, CancellationToken ct)
    {
        var temp = Path.Combine(folder, $".{claimId:D}.json.tmp");
        await using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough | FileOptions.Asynchronous))
        {
            await file.WriteAsync(claimJson, ct);
            file.Flush(flushToDisk: true);
        }

        // Same claim id, same bytes: overwriting a file left by an earlier try changes nothing.
        File.Move(temp, FinalPath(claimId), overwrite: true);
        return HandOverResult.Accepted(ReportNumberFor(insurerCode, claimId));
    }

    private string FinalPath(Guid claimId) => Path.Combine(folder, $"{claimId:D}.json");
}
