using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Hosting;

/// <summary><c>Logging:Format=json</c>: the server process's console is JSON lines that carry the request's trace, and no personal data.</summary>
public sealed class JsonLogTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("ar-jsonlog-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task With_json_logs_every_console_line_is_json_request_lines_carry_the_trace_id_and_no_phone_id_number_or_token_appears()
    {
        var port = NodeProcess.FreePort();
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        await using var server = ServerProcess.Start(new()
        {
            ["Logging:Format"] = "json",
            ["Database:ConnectionString"] = $"Data Source={Path.Combine(folder, "logs.db")}",
            ["Evidence:StoragePath"] = Path.Combine(folder, "evidence"),
        }, "--urls", baseUrl.ToString());
        using var http = new HttpClient { BaseAddress = baseUrl };
        await Eventually.Until(async () =>
        {
            try
            {
                return (await http.GetAsync("/health/ready")).StatusCode;
            }
            catch (HttpRequestException)
            {
                return HttpStatusCode.ServiceUnavailable;
            }
        }, s => s == HttpStatusCode.OK, "the server to be ready", TimeSpan.FromSeconds(90));

        // A caller's W3C trace (a browser's or a proxy's traceparent) is the trace of the log lines.
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        HttpRequestMessage Traced(HttpMethod method, string url, HttpContent? content, string? token = null)
        {
            var request = new HttpRequestMessage(method, url) { Content = content };
            request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            if (token is not null)
            {
                request.Headers.Authorization = new("Bearer", token);
            }

            return request;
        }

        var phone = "13812345678";
        var idNumber = Api.IdNumbers[1];
        var report = await (await http.SendAsync(Traced(HttpMethod.Post, "/api/cases", JsonContent.Create(Api.Report())))).JsonAsync(201);
        var caseId = report.GetProperty("caseId").GetString();
        var token = report.GetProperty("partyToken").GetString()!;
        var details = await http.SendAsync(Traced(HttpMethod.Put, $"/api/cases/{caseId}/parties/me", JsonContent.Create(new { name = "张伟", idNumber }), token));
        Assert.True(details.IsSuccessStatusCode, await details.Content.ReadAsStringAsync());
        // An upload that is not an image: the server logs the refusal, inside this request.
        using var form = new MultipartFormDataContent { { new ByteArrayContent("not a photo"u8.ToArray()), "file", "photo.jpg" }, { new StringContent("photo"), "kind" } };
        var upload = await http.SendAsync(Traced(HttpMethod.Post, $"/api/cases/{caseId}/evidence", form, token));
        Assert.Equal(HttpStatusCode.BadRequest, upload.StatusCode);
        await server.StopAsync();

        var lines = server.Lines.Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(lines);
        var entries = lines.Select(l =>
        {
            try
            {
                return JsonDocument.Parse(l).RootElement.Clone();
            }
            catch (JsonException)
            {
                throw new Xunit.Sdk.XunitException($"Not a JSON line: {l}\n---\n{server.Output}");
            }
        }).ToList();

        // Lines written while serving a request name it (RequestId) and carry its trace and span.
        var inRequests = entries.Where(e => Scope(e, "RequestId") is not null).ToList();
        Assert.NotEmpty(inRequests);
        Assert.All(inRequests, e =>
        {
            Assert.Matches("^[0-9a-f]{32}$", Scope(e, "TraceId"));
            Assert.Matches("^[0-9a-f]{16}$", Scope(e, "SpanId"));
        });
        var refusal = Assert.Single(entries, e => e.GetProperty("Message").GetString()!.StartsWith("Evidence upload for case", StringComparison.Ordinal));
        Assert.Equal(traceId, Scope(refusal, "TraceId"));

        var output = server.Output;
        Assert.DoesNotContain(phone, output, StringComparison.Ordinal);
        Assert.DoesNotContain(idNumber, output, StringComparison.Ordinal);
        Assert.DoesNotContain(token, output, StringComparison.Ordinal);
        Assert.DoesNotContain("张伟", output, StringComparison.Ordinal);
    }

    private static string? Scope(JsonElement entry, string name) =>
        entry.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray()
                .Where(s => s.ValueKind == JsonValueKind.Object && s.TryGetProperty(name, out _))
                .Select(s => s.GetProperty(name).ToString())
                .FirstOrDefault()
            : null;
}
