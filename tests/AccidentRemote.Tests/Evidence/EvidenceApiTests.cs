using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Evidence;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Evidence;

/// <summary>Evidence over HTTP with the embedded defaults, the real files on disk, and a recording notifier.</summary>
public sealed class EvidenceApiTests
{
    public static TheoryData<string, byte[], string, int, int> Images => new()
    {
        { "jpeg", TestFiles.Jpeg(40, 24), "image/jpeg", 40, 24 },
        { "png", TestFiles.Png(3, 2), "image/png", 3, 2 },
        { "webp", TestFiles.WebPExtended(640, 480), "image/webp", 640, 480 },
    };

    [Theory]
    [MemberData(nameof(Images))]
    public async Task A_party_uploads_a_photo_and_gets_its_sha256_size_and_who_captured_it(string format, byte[] bytes, string contentType, int width, int height)
    {
        using var host = EvidenceHost.Embedded();
        var kase = await TestCase.CreateAsync(host);
        var party = host.Party(kase.Party1Token);

        // The declared type and name are deliberately wrong: only the bytes count.
        var response = await Upload.PostAsync(party, kase.CaseId, bytes, "photo", fileName: $"../../evil.{format}.html", contentType: "text/html",
            fields: new() { ["angle"] = "collision-point", ["latitude"] = "39.9087", ["longitude"] = "116.3975" });
        var item = await response.JsonAsync(201);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), item.GetProperty("sha256").GetString());
        Assert.Equal(contentType, item.GetProperty("contentType").GetString());
        Assert.Equal((width, height), (item.GetProperty("width").GetInt32(), item.GetProperty("height").GetInt32()));
        Assert.Equal(bytes.Length, item.GetProperty("size").GetInt64());
        Assert.Equal(kase.CaseId, item.GetProperty("caseId").GetString());
        Assert.Equal(kase.Party1Id, item.GetProperty("partyId").GetString());
        Assert.Equal($"party:{kase.Party1Id}", item.GetProperty("capturedBy").GetString());
        Assert.Equal("collision-point", item.GetProperty("angle").GetString());
        Assert.Equal(39.9087, item.GetProperty("latitude").GetDouble());
        Assert.Equal(TimeSpan.Zero, item.GetProperty("capturedAt").GetDateTimeOffset().Offset);
        Assert.Equal($"/api/evidence/{item.GetProperty("id").GetString()}/content", response.Headers.Location?.OriginalString);
        Assert.Equal([item.GetProperty("sha256").GetString()!], host.Blobs());
        Assert.Empty(host.Incoming());
    }

    [Fact]
    public async Task The_same_bytes_uploaded_twice_are_one_item_one_blob_and_one_notification()
    {
        using var host = EvidenceHost.Embedded();
        var kase = await TestCase.CreateAsync(host);
        var bytes = TestFiles.Png(4, 4);

        var first = await Upload.PostAsync(host.Party(kase.Party1Token), kase.CaseId, bytes, 201);
        var again = await Upload.PostAsync(host.Party(kase.Party2Token), kase.CaseId, bytes, 200, kind: "screenshot");

        Assert.Equal(first.GetProperty("id").GetString(), again.GetProperty("id").GetString());
        Assert.Equal(first.GetRawText(), again.GetRawText());
        Assert.Single((await host.Party(kase.Party1Token).GetJsonAsync($"/api/cases/{kase.CaseId}/evidence")).EnumerateArray());
        Assert.Equal([first.GetProperty("sha256").GetString()!], host.Blobs());
        var sent = Assert.Single(host.Notifier.EvidenceAdded);
        Assert.Equal((Guid.Parse(kase.CaseId), Guid.Parse(first.GetProperty("id").GetString()!), "photo", (Guid?)Guid.Parse(kase.Party1Id)), sent);

        // Another case may hold the same bytes: its own item, still one blob on disk.
        var other = await TestCase.CreateAsync(host, "粤B12345", "粤B54321");
        var elsewhere = await Upload.PostAsync(host.Party(other.Party1Token), other.CaseId, bytes, 201);
        Assert.NotEqual(first.GetProperty("id").GetString(), elsewhere.GetProperty("id").GetString());
        Assert.Single(host.Blobs());
        Assert.Equal(2, host.Notifier.EvidenceAdded.Count);
    }

    public static TheoryData<string, byte[], string> RefusedFiles => new()
    {
        { "svg", TestFiles.Svg(), "SVG" },
        { "html", TestFiles.Html(), "HTML" },
        { "png with <script appended", TestFiles.Append(TestFiles.Png(2, 2), "<script>alert(1)</script>"), "<script" },
        { "empty", [], "empty" },
        { "png claiming 100000x100000", TestFiles.PngHeaderOnly(100_000, 100_000), "100000x100000" },
        { "pdf sent as a photo", TestFiles.Pdf(), "as a document" },
    };

    [Theory]
    [MemberData(nameof(RefusedFiles))]
    public async Task A_refused_file_gets_a_400_naming_the_problem_and_leaves_no_row_and_no_blob(string what, byte[] bytes, string expected)
    {
        using var host = EvidenceHost.Embedded();
        var kase = await TestCase.CreateAsync(host);
        var party = host.Party(kase.Party1Token);
        party.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en"); // the texts below are asserted in English

        var problem = await Upload.PostAsync(party, kase.CaseId, bytes, 400);

        Assert.Contains(expected, problem.GetProperty("title").GetString() + " " + problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Empty((await party.GetJsonAsync($"/api/cases/{kase.CaseId}/evidence")).EnumerateArray());
        Assert.Empty(host.Blobs());
        Assert.Empty(host.Incoming());
        Assert.Empty(host.Notifier.EvidenceAdded);
        Assert.NotEmpty(what);
    }

    [Fact]
    public async Task A_file_over_the_size_limit_gets_a_413_and_nothing_is_kept()
    {
        using var host = EvidenceHost.Embedded(new() { ["Evidence:MaxBytes"] = "4096" });
        var kase = await TestCase.CreateAsync(host);
        var party = host.Party(kase.Party1Token);
        party.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en"); // the texts below are asserted in English
        var big = TestFiles.Png(48, 48, noise: true);
        Assert.True(big.Length > 4096);

        var problem = await Upload.PostAsync(party, kase.CaseId, big, 413);

        Assert.Contains("4096 bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty((await party.GetJsonAsync($"/api/cases/{kase.CaseId}/evidence")).EnumerateArray());
        Assert.Empty(host.Blobs());
        Assert.Empty(host.Incoming());
        await Upload.PostAsync(party, kase.CaseId, TestFiles.Png(4, 4), 201);

        // Kestrel (not the test server) also stops the whole body at the limit plus room for the form around the file.
        var upload = host.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Single(e => e.RoutePattern.RawText == "/api/cases/{caseId:guid}/evidence" && e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Contains("POST"));
        Assert.Equal(4096 + EvidenceEndpoints.FormOverheadBytes, upload.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize);
    }

    [Fact]
    public async Task Wrong_form_fields_are_each_named_with_what_is_accepted()
    {
        using var host = EvidenceHost.Embedded();
        var kase = await TestCase.CreateAsync(host);
        var other = await TestCase.CreateAsync(host, "粤B12345", "粤B54321");
        var party = host.Party(kase.Party1Token);
        party.DefaultRequestHeaders.AcceptLanguage.ParseAdd("en"); // the texts below are asserted in English

        var problem = await Upload.PostAsync(party, kase.CaseId, TestFiles.Png(2, 2), 400, kind: "selfie",
            fields: new() { ["angle"] = "sideways", ["partyId"] = other.Party1Id, ["latitude"] = "91", ["longitude"] = "116.4" });
        var errors = problem.GetProperty("errors");
        Assert.Contains("photo, screenshot or document", errors.GetProperty("kind")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("Choose the angle", errors.GetProperty("angle")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("party of this case", errors.GetProperty("partyId")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains("between -90 and 90", errors.GetProperty("latitude")[0].GetString(), StringComparison.Ordinal);

        var json = await (await party.PostAsync($"/api/cases/{kase.CaseId}/evidence", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"))).JsonAsync(400);
        Assert.Contains("multipart/form-data", json.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(host.Blobs());
    }

    [Fact]
    public async Task Parties_of_another_case_and_anonymous_callers_can_neither_upload_nor_read()
    {
        using var host = EvidenceHost.Embedded();
        var kase = await TestCase.CreateAsync(host);
        var other = await TestCase.CreateAsync(host, "粤B12345", "粤B54321");
        var item = await Upload.PostAsync(host.Party(kase.Party1Token), kase.CaseId, TestFiles.Png(2, 2), 201);
        var content = $"/api/evidence/{item.GetProperty("id").GetString()}/content";

        var stranger = host.Party(other.Party1Token);
        var refused = await Upload.PostAsync(stranger, kase.CaseId, TestFiles.Png(3, 3), 404);
        Assert.Equal("Case.NotFound", refused.GetProperty("code").GetString());
        await stranger.GetJsonAsync($"/api/cases/{kase.CaseId}/evidence", 404);
        await stranger.GetJsonAsync(content, 404);

        var anonymous = host.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await Upload.PostAsync(anonymous, kase.CaseId, TestFiles.Png(3, 3))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/cases/{kase.CaseId}/evidence")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(content)).StatusCode);

        // The other party of the same case may read it.
        Assert.Single((await host.Party(kase.Party2Token).GetJsonAsync($"/api/cases/{kase.CaseId}/evidence")).EnumerateArray());
        Assert.Single(host.Blobs());
    }

    [Fact]
    public async Task The_accepting_officer_and_a_supervisor_can_read_and_upload_but_another_officer_cannot()
    {
        using var host = EvidenceHost.Embedded();
        var kase = await TestCase.CreateAsync(host);
        var (officer, officerId) = await host.OfficerAsync("officer1");
        var (colleague, _) = await host.OfficerAsync("officer2");
        var (supervisor, supervisorId) = await host.OfficerAsync("super1", Roles.Supervisor);

        // Before anyone accepts the case, an officer cannot see its evidence.
        await officer.GetJsonAsync($"/api/cases/{kase.CaseId}/evidence", 404);
        await officer.PostJsonAsync($"/api/cases/{kase.CaseId}/accept", null);

        var screenshot = await Upload.PostAsync(officer, kase.CaseId, TestFiles.Jpeg(64, 48), 201, kind: "screenshot",
            fields: new() { ["partyId"] = kase.Party2Id, ["angle"] = "plates" });
        Assert.Equal($"officer:{officerId}", screenshot.GetProperty("capturedBy").GetString());
        Assert.Equal(kase.Party2Id, screenshot.GetProperty("partyId").GetString());
        Assert.Equal((Guid?)Guid.Parse(kase.Party2Id), Assert.Single(host.Notifier.EvidenceAdded).PartyId);

        var document = await Upload.PostAsync(supervisor, kase.CaseId, TestFiles.Pdf(), 201, kind: "document");
        Assert.Equal($"officer:{supervisorId}", document.GetProperty("capturedBy").GetString());
        Assert.Equal(JsonValueKind.Null, document.GetProperty("partyId").ValueKind);
        Assert.Equal(JsonValueKind.Null, document.GetProperty("width").ValueKind);

        Assert.Equal(2, (await officer.GetJsonAsync($"/api/cases/{kase.CaseId}/evidence")).GetArrayLength());
        Assert.Equal(2, (await supervisor.GetJsonAsync($"/api/cases/{kase.CaseId}/evidence")).GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, (await officer.GetAsync($"/api/evidence/{screenshot.GetProperty("id").GetString()}/content")).StatusCode);

        await colleague.GetJsonAsync($"/api/cases/{kase.CaseId}/evidence", 404);
        await colleague.GetJsonAsync($"/api/evidence/{screenshot.GetProperty("id").GetString()}/content", 404);
        await Upload.PostAsync(colleague, kase.CaseId, TestFiles.Png(5, 5), 404);
        Assert.Equal(2, host.Blobs().Length);
    }

    [Fact]
    public async Task Uploading_to_a_closed_or_escalated_case_gets_a_409_naming_the_state_and_reading_still_works()
    {
        using var host = EvidenceHost.Embedded();
        var (officer, _) = await host.OfficerAsync("officer1");
        var (caseId, _) = await Api.CaseReadyToCloseAsync(host.Anonymous(), officer);
        var before = await Upload.PostAsync(officer, caseId, TestFiles.Png(2, 2), 201);
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);

        var closed = await Upload.PostAsync(officer, caseId, TestFiles.Png(3, 3), 409);
        Assert.Equal("Case.WrongState", closed.GetProperty("code").GetString());
        Assert.Equal("closed", closed.GetProperty("caseStatus").GetString());
        Assert.Single((await officer.GetJsonAsync($"/api/cases/{caseId}/evidence")).EnumerateArray());

        var escalated = await host.Anonymous().PostJsonAsync("/api/cases", Api.Report("粤B12345", injured: true), 201);
        var party = host.Party(escalated.GetProperty("partyToken").GetString()!);
        var refused = await Upload.PostAsync(party, escalated.GetProperty("caseId").GetString()!, TestFiles.Png(3, 3), 409);
        Assert.Equal("escalated", refused.GetProperty("caseStatus").GetString());

        Assert.Equal([before.GetProperty("sha256").GetString()!], host.Blobs());
        Assert.Single(host.Notifier.EvidenceAdded);
    }

    [Fact]
    public async Task The_content_is_served_byte_for_byte_with_nosniff_a_sandbox_and_the_stored_type()
    {
        using var host = EvidenceHost.Embedded();
        var kase = await TestCase.CreateAsync(host);
        var party = host.Party(kase.Party1Token);
        var photo = TestFiles.Jpeg(4032, 3024, app1: new byte[20_000]);
        var pdf = TestFiles.Pdf();
        var photoItem = await Upload.PostAsync(party, kase.CaseId, photo, 201);
        var pdfItem = await Upload.PostAsync(party, kase.CaseId, pdf, 201, kind: "document");

        using var image = await party.GetAsync($"/api/evidence/{photoItem.GetProperty("id").GetString()}/content");
        Assert.Equal(HttpStatusCode.OK, image.StatusCode);
        Assert.Equal(photo, await image.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/jpeg", image.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(image.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("sandbox", Assert.Single(image.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("inline", image.Content.Headers.ContentDisposition?.DispositionType);

        using var document = await party.GetAsync($"/api/evidence/{pdfItem.GetProperty("id").GetString()}/content");
        Assert.Equal(pdf, await document.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/pdf", document.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", document.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal("nosniff", Assert.Single(document.Headers.GetValues("X-Content-Type-Options")));

        await party.GetJsonAsync($"/api/evidence/{Guid.NewGuid()}/content", 404);
    }
}
