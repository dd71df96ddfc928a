using System.Globalization;
using System.Security.Claims;
using AccidentRemote.Server.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace AccidentRemote.Server.Evidence;

/// <summary>The fields of an evidence upload, checked against the case.</summary>
internal sealed record UploadFields(string Kind, string? Angle, Guid? PartyId, double? Latitude, double? Longitude);

/// <summary>
/// The multipart body of an evidence upload, read by hand (not bound as IFormFile) so that the file
/// goes straight to <see cref="EvidenceBlobs"/> while it is hashed and counted, and nothing else is buffered.
/// </summary>
internal sealed class UploadForm : IDisposable
{
    private const int MaxFieldLength = 100;
    private const int MaxSections = 16;
    private static readonly string[] TextFields = ["kind", "angle", "partyId", "latitude", "longitude"];

    public Dictionary<string, string> Fields { get; } = new(StringComparer.Ordinal);

    public EvidenceBlobs.Incoming? File { get; private set; }

    public void Dispose() => File?.Dispose();

    /// <summary>
    /// Reads the multipart body section by section: small text fields into memory (each at most
    /// <see cref="MaxFieldLength"/> characters), the file straight to disk while it is hashed and counted.
    /// Nothing beyond the size limit is ever read or buffered.
    /// </summary>
    public async Task<ProblemHttpResult?> ReadAsync(HttpRequest request, EvidenceBlobs blobs, EvidenceOptions limits, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary) is not { Length: > 0 and <= 70 } boundary)
        {
            return BadForm("Send the upload as multipart/form-data (e.g. curl -F file=@photo.jpg -F kind=photo), not as JSON or raw bytes.");
        }

        try
        {
            var reader = new MultipartReader(boundary.ToString(), request.Body) { HeadersCountLimit = 8, HeadersLengthLimit = 4096 };
            var sections = 0;
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (++sections > MaxSections)
                {
                    return BadForm($"The form has more than {MaxSections} parts. Send only: file, kind, angle, partyId, latitude, longitude.");
                }

                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                    || HeaderUtilities.RemoveQuotes(disposition.Name).ToString() is not { Length: > 0 } name)
                {
                    return BadForm("Each part of the form needs a Content-Disposition: form-data header with a name.");
                }

                if (name == "file")
                {
                    if (File is not null)
                    {
                        return BadForm("The form has more than one file. Send one file per upload.");
                    }

                    File = await blobs.ReceiveAsync(section.Body, limits.MaxBytes, ct);
                    if (File is null)
                    {
                        return TooLarge(limits.MaxBytes);
                    }
                }
                else if (TextFields.Contains(name))
                {
                    using var text = new StreamReader(section.Body);
                    var buffer = new char[MaxFieldLength + 1];
                    var length = await text.ReadBlockAsync(buffer, ct);
                    if (length > MaxFieldLength)
                    {
                        return BadForm($"The field '{name}' is longer than {MaxFieldLength} characters.");
                    }

                    if (!Fields.TryAdd(name, new string(buffer, 0, length).Trim()))
                    {
                        return BadForm($"The field '{name}' appears more than once. Send each field once.");
                    }
                }
                else
                {
                    return BadForm($"Unknown form field '{(name.Length > 40 ? name[..40] + "…" : name)}'. The fields are: file, kind, angle, partyId, latitude, longitude.");
                }
            }
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(limits.MaxBytes);
        }
        catch (InvalidDataException)
        {
            return BadForm("The multipart body could not be read. Let the browser or HTTP library build the form.");
        }

        return null;
    }

    public UploadFields? ReadFields(ClaimsPrincipal user, CaseAccess access, Dictionary<string, string[]> errors)
    {
        if (File is null)
        {
            errors["file"] = [ServerText.Get("Upload.File")];
        }

        var kind = Fields.GetValueOrDefault("kind")?.ToLowerInvariant();
        if (string.IsNullOrEmpty(kind) || !EvidenceKind.Values.Contains(kind))
        {
            errors["kind"] = [ServerText.Get("Upload.Kind")];
        }

        var angle = Fields.GetValueOrDefault("angle")?.ToLowerInvariant();
        if (string.IsNullOrEmpty(angle))
        {
            angle = null;
        }
        else if (!EvidenceAngle.Values.Contains(angle))
        {
            errors["angle"] = [ServerText.Get("Upload.Angle")];
        }

        Guid? partyId = user.IsParty() ? user.PartyId() : null;
        if (Fields.GetValueOrDefault("partyId") is { Length: > 0 } partyText)
        {
            if (!Guid.TryParse(partyText, out var parsed) || !access.PartyIds.Contains(parsed))
            {
                errors["partyId"] = [ServerText.Get("Upload.PartyId")];
            }
            else
            {
                partyId = parsed;
            }
        }

        var latitude = Coordinate("latitude", 90, "39.9087", errors);
        var longitude = Coordinate("longitude", 180, "116.3975", errors);
        if ((latitude is null) != (longitude is null) && !errors.ContainsKey("latitude") && !errors.ContainsKey("longitude"))
        {
            errors["latitude"] = [ServerText.Get("Upload.Location.Both")];
        }

        return errors.Count > 0 ? null : new UploadFields(kind!, angle, partyId, latitude, longitude);
    }

    private double? Coordinate(string field, double bound, string example, Dictionary<string, string[]> errors)
    {
        if (Fields.GetValueOrDefault(field) is not { Length: > 0 } text)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value) || Math.Abs(value) > bound)
        {
            errors[field] = [ServerText.Get("Upload.Location.Range", bound, example)];
            return null;
        }

        return value;
    }

    private static ProblemHttpResult BadForm(string detail) =>
        Problems.Of(400, "Upload.Unreadable", detail);

    private static ProblemHttpResult TooLarge(long maxBytes) =>
        Problems.Of(413, "Upload.TooLarge", maxBytes);
}
