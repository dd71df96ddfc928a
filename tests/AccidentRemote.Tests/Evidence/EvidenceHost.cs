using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Signalling;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace AccidentRemote.Tests.Evidence;

/// <summary>Records what the server asked to tell the clients.</summary>
public sealed class RecordingCaseNotifier : ICaseNotifier
{
    public ConcurrentQueue<(Guid CaseId, Guid EvidenceId, string Kind, Guid? PartyId)> EvidenceAdded { get; } = new();

    public Task EvidenceAddedAsync(Guid caseId, Guid evidenceId, string kind, Guid? partyId)
    {
        EvidenceAdded.Enqueue((caseId, evidenceId, kind, partyId));
        return Task.CompletedTask;
    }

    public Task CaseChangedAsync(Guid caseId, string status) => Task.CompletedTask;

    public Task QueueChangedAsync() => Task.CompletedTask;

    public Task PartyMovedAsync(Guid caseId, Guid partyId) => Task.CompletedTask;

    public Task CallNoticeAsync(Guid caseId, Guid partyId, string kind) => Task.CompletedTask;

    public Task InstructionAsync(Guid caseId, Guid? partyId, string kind, string? angle) => Task.CompletedTask;

    public Task PartyObjectedAsync(Guid caseId, Guid partyId, int partyNumber, int version, IReadOnlyList<string> reasons, string? text) => Task.CompletedTask;

    public Task ClaimAcknowledgedAsync(Guid caseId, Guid partyId, string insurerCode, string claimReportNumber) => Task.CompletedTask;
}

/// <summary>
/// A <see cref="TestApp"/> with its own evidence folder and, in place of the Signalling feature's
/// notifier (registered on main, not in this feature), a <see cref="RecordingCaseNotifier"/>.
/// </summary>
public sealed class EvidenceHost : IDisposable
{
    private readonly TestApp app;

    private EvidenceHost(Func<Dictionary<string, string?>, TestApp> create, Dictionary<string, string?>? extra)
    {
        StoragePath = Path.Combine(Path.GetTempPath(), $"ar-evidence-{Guid.NewGuid():N}");
        var settings = new Dictionary<string, string?> { ["Evidence:StoragePath"] = StoragePath };
        foreach (var (k, v) in extra ?? [])
        {
            settings[k] = v;
        }

        app = create(settings);
        Factory = app.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<ICaseNotifier>(Notifier)));
    }

    public RecordingCaseNotifier Notifier { get; } = new();

    public WebApplicationFactory<Program> Factory { get; }

    public string StoragePath { get; }

    public static EvidenceHost Embedded(Dictionary<string, string?>? extra = null) => new(s => TestApp.Embedded(extra: s), extra);

    public static EvidenceHost Production(string postgres, string vhost, Dictionary<string, string?>? extra = null) =>
        new(s => TestApp.Production(postgres, vhost, extra: s), extra);

    public HttpClient Anonymous() => Factory.CreateClient();

    public HttpClient Party(string token)
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task<(HttpClient Client, string Id)> OfficerAsync(string username, string role = Roles.Officer)
    {
        var password = Secrets.NewPassword();
        await Factory.Services.GetRequiredService<OfficerStore>().CreateOrResetAsync(username, "Test " + username, role, password, CancellationToken.None, badgeNumber: TestBadge.For(username));
        var client = Factory.CreateClient();
        var body = await client.PostJsonAsync("/api/officers/sign-in", new { username, password });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", body.GetProperty("token").GetString());
        return (client, body.GetProperty("officer").GetProperty("id").GetString()!);
    }

    /// <summary>Stored blobs (file names), not counting the incoming folder.</summary>
    public string[] Blobs() => Directory.Exists(StoragePath)
        ? Directory.GetFiles(StoragePath).Select(f => Path.GetFileName(f)).ToArray()
        : [];

    public string[] Incoming() => Directory.Exists(Path.Combine(StoragePath, "incoming")) ? Directory.GetFiles(Path.Combine(StoragePath, "incoming")) : [];

    public void Dispose()
    {
        app.Dispose();
        if (Directory.Exists(StoragePath))
        {
            foreach (var f in Directory.GetFiles(StoragePath, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(f, FileAttributes.Normal);
            }

            Directory.Delete(StoragePath, recursive: true);
        }
    }
}

/// <summary>A reported case with both parties joined, and evidence upload requests.</summary>
public sealed record TestCase(string CaseId, string Party1Token, string Party1Id, string Party2Token, string Party2Id)
{
    public static async Task<TestCase> CreateAsync(EvidenceHost host, string plate1 = "京A12345", string plate2 = "沪AD12345")
    {
        var anonymous = host.Anonymous();
        var report = await anonymous.PostJsonAsync("/api/cases", Api.Report(plate1), 201);
        var joined = await anonymous.PostJsonAsync("/api/cases/join", Api.Join(report.GetProperty("joinCode").GetString()!, plate2), 201);
        return new TestCase(
            report.GetProperty("caseId").GetString()!, report.GetProperty("partyToken").GetString()!, report.GetProperty("partyId").GetString()!,
            joined.GetProperty("partyToken").GetString()!, joined.GetProperty("partyId").GetString()!);
    }
}

public static class Upload
{
    public static Task<HttpResponseMessage> PostAsync(HttpClient client, string caseId, byte[] file, string kind = "photo",
        string fileName = "photo.jpg", string contentType = "image/jpeg", Dictionary<string, string>? fields = null)
    {
        var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(content, "file", fileName);
        form.Add(new StringContent(kind), "kind");
        foreach (var (k, v) in fields ?? [])
        {
            form.Add(new StringContent(v), k);
        }

        return client.PostAsync($"/api/cases/{caseId}/evidence", form);
    }

    public static async Task<JsonElement> PostAsync(HttpClient client, string caseId, byte[] file, int expectedStatus, string kind = "photo",
        Dictionary<string, string>? fields = null) =>
        await (await PostAsync(client, caseId, file, kind, fields: fields)).JsonAsync(expectedStatus);
}
