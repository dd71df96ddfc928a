using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AccidentRemote.Server.Claims;
using AccidentRemote.Tests.Evidence;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Claims;

/// <summary>
/// What each insurer receives of a case's evidence, on PostgreSQL and a real RabbitMQ: the scene and its own
/// insured's documents, as clean copies without EXIF, through links bound to its claim that expire.
/// </summary>
public sealed class ClaimEvidenceTests : IAsyncLifetime
{
    private PostgresDatabase database = null!;
    private RabbitVhost vhost = null!;
    private readonly string storage = Path.Combine(Path.GetTempPath(), $"ar-claim-evidence-{Guid.NewGuid():N}");

    public async ValueTask InitializeAsync()
    {
        database = await PostgresDatabase.CreateAsync();
        vhost = await RabbitVhost.CreateAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await database.DisposeAsync();
        await vhost.DisposeAsync();
        if (Directory.Exists(storage))
        {
            foreach (var f in Directory.GetFiles(storage, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(f, FileAttributes.Normal);
            }

            Directory.Delete(storage, recursive: true);
        }
    }

    [Fact]
    public async Task Each_insurer_gets_the_scene_and_its_own_insureds_documents_as_clean_copies_through_links_bound_to_its_claim()
    {
        var clock = new FixedClock(DateTimeOffset.UtcNow);
        using var app = TestApp.Production(database.ConnectionString, vhost.Name, extra: new()
        {
            ["Claims:PollInterval"] = "00:00:00.200",
            ["Evidence:StoragePath"] = storage,
        }, services: s => s.AddSingleton<TimeProvider>(clock));
        var officer = await app.OfficerClientAsync();
        await app.Services.GetRequiredService<BrokerTopology>().Declared.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var anonymous = app.CreateClient();
        var (caseId, _, tokens) = await Api.CaseWithLiabilityAsync(anonymous, officer, "picc", "pingan");

        // Party 1 (PICC's customer) photographs the plates with a phone that writes GPS into EXIF; each party shows its papers.
        var scenePhoto = TestFiles.PhotoJpeg(320, 240, exifGps: true, seed: 1);
        var scene = await UploadAsync(anonymous, caseId, tokens[0], scenePhoto, "plates");
        var scene2 = await UploadAsync(anonymous, caseId, tokens[1], TestFiles.PhotoJpeg(320, 240, seed: 2), "collision-point");
        var licence1 = await UploadAsync(anonymous, caseId, tokens[0], TestFiles.PhotoJpeg(200, 120, exifGps: true, seed: 3), "licence");
        var registration1 = await UploadAsync(anonymous, caseId, tokens[0], TestFiles.PhotoJpeg(200, 120, seed: 4), "registration");
        var licence2 = await UploadAsync(anonymous, caseId, tokens[1], TestFiles.PhotoJpeg(200, 120, seed: 5), "licence");
        var registration2 = await UploadAsync(anonymous, caseId, tokens[1], TestFiles.PhotoJpeg(200, 120, seed: 6), "registration");

        await Api.GiveDetailsAndSignAsync(anonymous, officer, caseId, tokens);
        await officer.PostJsonAsync($"/api/cases/{caseId}/close", null);
        await Eventually.Until(() => officer.GetJsonAsync($"/api/cases/{caseId}/claims"),
            c => c.EnumerateArray().Count(x => x.GetProperty("status").GetString() == "sent") == 2, "both claims confirmed");

        await using var connection = await vhost.Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var picc = await ReadClaimAsync(channel, "claims.picc");
        var pingan = await ReadClaimAsync(channel, "claims.pingan");

        static string[] Ids(JsonElement claim) => claim.GetProperty("evidence").EnumerateArray().Select(e => e.GetProperty("id").GetString()!).Order().ToArray();
        Assert.Equal(new[] { scene, scene2, licence1, registration1 }.Order().ToArray(), Ids(picc));
        Assert.Equal(new[] { scene, scene2, licence2, registration2 }.Order().ToArray(), Ids(pingan));

        // The file PICC fetches is the copy: no EXIF, its own hash as the manifest says, tied to the original's hash.
        var item = picc.GetProperty("evidence").EnumerateArray().Single(e => e.GetProperty("id").GetString() == scene);
        var link = new Uri(item.GetProperty("url").GetString()!).PathAndQuery;
        var fetched = await anonymous.GetAsync(link);
        Assert.Equal(HttpStatusCode.OK, fetched.StatusCode);
        var bytes = await fetched.Content.ReadAsByteArrayAsync();
        Assert.True(TestFiles.Contains(scenePhoto, TestFiles.ExifMarker));
        Assert.False(TestFiles.Contains(bytes, TestFiles.ExifMarker));
        var originalHash = Convert.ToHexStringLower(SHA256.HashData(scenePhoto));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), item.GetProperty("sha256").GetString());
        Assert.NotEqual(originalHash, item.GetProperty("sha256").GetString());
        Assert.Equal(originalHash, item.GetProperty("originalSha256").GetString());
        Assert.Equal("image/jpeg", fetched.Content.Headers.ContentType?.MediaType);

        // A link of PICC's claim reaches neither another item nor serves under Ping An's claim id.
        var otherItem = link.Replace(scene, licence2, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(otherItem)).StatusCode);
        var otherClaim = link.Replace(picc.GetProperty("claimId").GetString()!, pingan.GetProperty("claimId").GetString()!, StringComparison.Ordinal);
        Assert.NotEqual(link, otherClaim);
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(otherClaim)).StatusCode);

        // Links live Evidence:LinkLifetime (72 hours by default), then are refused.
        var expiresAt = item.GetProperty("urlExpiresAt").GetDateTimeOffset();
        Assert.InRange(expiresAt - clock.Now, TimeSpan.FromHours(72) - TimeSpan.FromSeconds(1), TimeSpan.FromHours(72));
        clock.Now = expiresAt.AddSeconds(1);
        var expired = await anonymous.GetAsync(link);
        Assert.Equal(HttpStatusCode.Forbidden, expired.StatusCode);
        Assert.Contains("expired", await expired.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<string> UploadAsync(HttpClient client, string caseId, string token, byte[] photo, string angle)
    {
        using var form = new MultipartFormDataContent { { new ByteArrayContent(photo), "file", "p.jpg" }, { new StringContent("photo"), "kind" }, { new StringContent(angle), "angle" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/cases/{caseId}/evidence") { Content = form };
        request.Headers.Authorization = new("Bearer", token);
        return (await (await client.SendAsync(request)).JsonAsync(201)).GetProperty("id").GetString()!;
    }

    private static async Task<JsonElement> ReadClaimAsync(RabbitMQ.Client.IChannel channel, string queue)
    {
        var result = await channel.BasicGetAsync(queue, autoAck: true);
        Assert.NotNull(result);
        Assert.Null(await channel.BasicGetAsync(queue, autoAck: true));
        return JsonDocument.Parse(Encoding.UTF8.GetString(result.Body.Span)).RootElement.Clone();
    }
}
