using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Signalling;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AccidentRemote.Tests.Signalling;

/// <summary>The call hub over real WebSockets on a Kestrel port: relaying, authorization, limits.</summary>
public sealed class HubTests : IAsyncLifetime
{
    private readonly TestApp app = TestApp.Embedded(extra: new()
    {
        ["Turn:Urls:0"] = "turn:127.0.0.1:3478?transport=udp",
        ["Turn:StunUrls:0"] = "stun:127.0.0.1:3478",
        ["Turn:Secret"] = "test-secret-0123456789",
        ["Turn:CredentialTtl"] = "00:10:00",
        ["Signalling:SignalsPerSecond"] = "20",
        ["Signalling:SignalBurst"] = "40",
    });

    private Uri address = null!;
    private HttpClient officer = null!;
    private string officerToken = null!;

    public async ValueTask InitializeAsync()
    {
        address = app.StartKestrel();
        officer = await app.OfficerClientAsync();
        officerToken = officer.DefaultRequestHeaders.Authorization!.Parameter!;
    }

    public ValueTask DisposeAsync()
    {
        app.Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed record Party(string CaseId, string PartyId, string Token);

    private async Task<(Party First, Party Second)> AcceptedTwoPartyCaseAsync(string plate1 = "京A12345", string plate2 = "沪AD12345")
    {
        var anonymous = app.RealClient();
        var report = await anonymous.PostJsonAsync("/api/cases", Api.Report(plate1), 201);
        var joined = await anonymous.PostJsonAsync("/api/cases/join", Api.Join(report.GetProperty("joinCode").GetString()!, plate2), 201);
        var caseId = report.GetProperty("caseId").GetString()!;
        await officer.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        return (new Party(caseId, report.GetProperty("partyId").GetString()!, report.GetProperty("partyToken").GetString()!),
                new Party(caseId, joined.GetProperty("partyId").GetString()!, joined.GetProperty("partyToken").GetString()!));
    }

    private static object Offer(string caseId, string? to, string sdp = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n") =>
        new { caseId, toPartyId = to, type = "offer", description = new { type = "offer", sdp }, candidate = (object?)null };

    [Fact]
    public async Task Signals_travel_between_the_officer_and_each_party_with_W3C_fields_intact()
    {
        var (p1, p2) = await AcceptedTwoPartyCaseAsync();
        await using var console = await HubClient.ConnectAsync(address, officerToken);
        await using var phone1 = await HubClient.ConnectAsync(address, p1.Token);
        await using var phone2 = await HubClient.ConnectAsync(address, p2.Token);

        // The server registers a connection just after the client's start returns: wait until both show online.
        var roster = await Eventually.Until(() => console.Connection.InvokeAsync<JsonElement>("WatchCase", Guid.Parse(p1.CaseId)),
            r => r.GetProperty("parties").EnumerateArray().All(p => p.GetProperty("online").GetBoolean()), "both parties online");
        Assert.Equal(2, roster.GetProperty("parties").GetArrayLength());

        await console.Connection.InvokeAsync("Signal", Offer(p1.CaseId, p1.PartyId));
        var offer = await phone1.WaitForAsync("Signal");
        Assert.Equal("offer", offer.GetProperty("type").GetString());
        Assert.Equal(JsonValueKind.Null, offer.GetProperty("fromPartyId").ValueKind);
        Assert.StartsWith("v=0", offer.GetProperty("description").GetProperty("sdp").GetString(), StringComparison.Ordinal);
        Assert.Empty(phone2.All("Signal"));

        var candidate = new { candidate = "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", sdpMid = "0", sdpMLineIndex = 0, usernameFragment = "abcd" };
        await phone2.Connection.InvokeAsync("Signal", new { caseId = p2.CaseId, toPartyId = (string?)null, type = "candidate", description = (object?)null, candidate });
        await phone2.Connection.InvokeAsync("Signal", new { caseId = p2.CaseId, toPartyId = (string?)null, type = "candidate", description = (object?)null, candidate = (object?)null });
        var got = await console.WaitForAsync("Signal", s => s.GetProperty("candidate").ValueKind == JsonValueKind.Null);
        Assert.Equal(p2.PartyId, got.GetProperty("fromPartyId").GetString());
        var first = console.All("Signal").First();
        Assert.Equal("abcd", first.GetProperty("candidate").GetProperty("usernameFragment").GetString());
        Assert.Equal(0, first.GetProperty("candidate").GetProperty("sdpMLineIndex").GetInt32());
        Assert.DoesNotContain(phone1.All("Signal"), s => s.GetProperty("type").GetString() == "candidate");
    }

    [Fact]
    public async Task A_party_of_another_case_or_a_caller_without_a_token_cannot_reach_a_call()
    {
        var (p1, _) = await AcceptedTwoPartyCaseAsync();
        var (other, _) = await AcceptedTwoPartyCaseAsync("粤B12345", "粤B54321");
        await using var console = await HubClient.ConnectAsync(address, officerToken);
        await console.Connection.InvokeAsync<JsonElement>("WatchCase", Guid.Parse(p1.CaseId));

        await using var intruder = await HubClient.ConnectAsync(address, other.Token);
        var refused = await Assert.ThrowsAsync<HubException>(() => intruder.Connection.InvokeAsync("Signal", Offer(p1.CaseId, null)));
        Assert.Contains("own case", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HubException>(() => intruder.Connection.InvokeAsync<JsonElement>("WatchCase", Guid.Parse(p1.CaseId)));

        // An officer who did not accept the case can neither watch it nor signal its parties.
        var stranger = await app.OfficerClientAsync("officer9");
        await using var strangerHub = await HubClient.ConnectAsync(address, stranger.DefaultRequestHeaders.Authorization!.Parameter);
        await Assert.ThrowsAsync<HubException>(() => strangerHub.Connection.InvokeAsync<JsonElement>("WatchCase", Guid.Parse(p1.CaseId)));
        await Assert.ThrowsAsync<HubException>(() => strangerHub.Connection.InvokeAsync("Signal", Offer(p1.CaseId, p1.PartyId)));
        // The right officer cannot address a party of another case through this one.
        await Assert.ThrowsAsync<HubException>(() => console.Connection.InvokeAsync("Signal", Offer(p1.CaseId, other.PartyId)));

        var noToken = await Assert.ThrowsAnyAsync<Exception>(() => HubClient.ConnectAsync(address, null));
        Assert.Contains("401", noToken.ToString(), StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<Exception>(() => HubClient.ConnectAsync(address, "ar_p_forged"));
        Assert.Empty(console.All("Signal"));
    }

    [Fact]
    public async Task Oversized_malformed_and_flooding_messages_fail_for_their_sender_while_a_call_goes_on()
    {
        var (p1, p2) = await AcceptedTwoPartyCaseAsync();
        await using var console = await HubClient.ConnectAsync(address, officerToken);
        await using var phone1 = await HubClient.ConnectAsync(address, p1.Token);
        await using var phone2 = await HubClient.ConnectAsync(address, p2.Token);
        await console.Connection.InvokeAsync<JsonElement>("WatchCase", Guid.Parse(p1.CaseId));

        // Malformed: wrong type, offer without SDP, a candidate over 1 KiB. The sender gets an error and stays connected.
        var bad = await Assert.ThrowsAsync<HubException>(() => phone2.Connection.InvokeAsync("Signal", new { caseId = p2.CaseId, type = "shout" }));
        Assert.Contains("Signal type must be one of", bad.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HubException>(() => phone2.Connection.InvokeAsync("Signal", new { caseId = p2.CaseId, type = "offer", description = new { type = "offer" } }));
        await Assert.ThrowsAsync<HubException>(() => phone2.Connection.InvokeAsync("Signal", new { caseId = p2.CaseId, type = "candidate", candidate = new { candidate = new string('x', 2000) } }));
        await Assert.ThrowsAnyAsync<Exception>(() => phone2.Connection.InvokeAsync("Signal", "not an object"));
        Assert.Equal(HubConnectionState.Connected, phone2.Connection.State);

        // Flood: far past the burst; most invocations are refused, none of them slows party 1's call.
        var flood = Enumerable.Range(0, 200).Select(_ => phone2.Connection.InvokeAsync("Signal",
            new { caseId = p2.CaseId, type = "candidate", candidate = (object?)null })).ToList();
        var results = await Task.WhenAll(flood.Select(async t => { try { await t; return "ok"; } catch (HubException e) { return e.Message; } }));
        Assert.Contains(results, r => r.Contains("Too many signals", StringComparison.Ordinal));
        Assert.InRange(results.Count(r => r == "ok"), 1, 100);

        await console.Connection.InvokeAsync("Signal", Offer(p1.CaseId, p1.PartyId));
        await phone1.WaitForAsync("Signal");

        // A 1 MB message is over the limit: the server closes that connection, and only that one.
        var closed = new TaskCompletionSource();
        phone2.Connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };
        _ = phone2.Connection.InvokeAsync("Signal", Offer(p2.CaseId, null, new string('a', 1024 * 1024))).ContinueWith(_ => { }, TaskScheduler.Default);
        await closed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(HubConnectionState.Connected, phone1.Connection.State);
        await console.Connection.InvokeAsync("Signal", Offer(p1.CaseId, p1.PartyId, "v=0\r\nsecond\r\n"));
        await phone1.WaitForAsync("Signal", s => s.GetProperty("description").GetProperty("sdp").GetString()!.Contains("second", StringComparison.Ordinal));
        await console.WaitForAsync("PeerChanged", p => p.GetProperty("partyId").GetString() == p2.PartyId && !p.GetProperty("online").GetBoolean());
    }

    [Fact]
    public async Task Officers_get_the_queue_pushed_and_waiting_parties_their_position()
    {
        await using var console = await HubClient.ConnectAsync(address, officerToken);
        var anonymous = app.RealClient();
        var first = await anonymous.PostJsonAsync("/api/cases", Api.Report("京A12345", parties: 1), 201);
        var second = await anonymous.PostJsonAsync("/api/cases", Api.Report("京B12345", parties: 1), 201);
        await console.WaitForAsync("QueueChanged", q => q.GetArrayLength() == 2);

        await using var phone2 = await HubClient.ConnectAsync(address, second.GetProperty("partyToken").GetString());
        var position = await phone2.WaitForAsync("QueuePosition");
        Assert.Equal(2, position.GetProperty("position").GetInt32());
        Assert.True(position.GetProperty("expectedWaitSeconds").GetInt32() > 0);
        var viaHttp = await app.RealClient(second.GetProperty("partyToken").GetString()).GetJsonAsync($"/api/cases/{second.GetProperty("caseId").GetString()}/queue-position");
        Assert.Equal(2, viaHttp.GetProperty("position").GetInt32());

        await officer.PostJsonAsync($"/api/cases/{first.GetProperty("caseId").GetString()}/accept", null);
        await phone2.WaitForAsync("QueuePosition", p => p.GetProperty("position").GetInt32() == 1);
        await console.WaitForAsync("QueueChanged", q => q.GetArrayLength() == 1);
    }

    [Fact]
    public async Task Instructions_reach_the_party_and_its_confirmation_reaches_the_officer()
    {
        var (p1, p2) = await AcceptedTwoPartyCaseAsync();
        await using var console = await HubClient.ConnectAsync(address, officerToken);
        await console.Connection.InvokeAsync<JsonElement>("WatchCase", Guid.Parse(p1.CaseId));
        await using var phone1 = await HubClient.ConnectAsync(address, p1.Token);
        await using var phone2 = await HubClient.ConnectAsync(address, p2.Token);

        await (await officer.PostAsJsonAsync($"/api/cases/{p1.CaseId}/instructions", new { kind = "photo", partyId = p1.PartyId, angle = "plates" })).JsonAsync(202);
        var instruction = await phone1.WaitForAsync("Instruction");
        Assert.Equal("plates", instruction.GetProperty("angle").GetString());
        await (await officer.PostAsJsonAsync($"/api/cases/{p1.CaseId}/instructions", new { kind = "move-cars", partyId = (string?)null })).JsonAsync(202);
        await phone2.WaitForAsync("Instruction", i => i.GetProperty("kind").GetString() == "move-cars");
        Assert.DoesNotContain(phone2.All("Instruction"), i => i.GetProperty("kind").GetString() == "photo");
        await (await officer.PostAsJsonAsync($"/api/cases/{p1.CaseId}/instructions", new { kind = "photo", angle = "sideways" })).JsonAsync(400);

        await app.RealClient(p2.Token).PostJsonAsync($"/api/cases/{p2.CaseId}/moved-confirmation", null);
        var moved = await console.WaitForAsync("PartyMoved");
        Assert.Equal(p2.PartyId, moved.GetProperty("partyId").GetString());

        await officer.PostJsonAsync($"/api/cases/{p1.CaseId}/vehicles-moved", null);
        await phone1.WaitForAsync("CaseChanged", c => c.GetProperty("status").GetString() == "vehicles_moved");
    }

    [Fact]
    public async Task A_party_asks_for_its_details_and_its_call_notices_reach_the_officer_only_for_its_own_case_and_a_few_a_minute()
    {
        var (p1, p2) = await AcceptedTwoPartyCaseAsync();
        await using var console = await HubClient.ConnectAsync(address, officerToken);
        await console.Connection.InvokeAsync<JsonElement>("WatchCase", Guid.Parse(p1.CaseId));
        await using var phone1 = await HubClient.ConnectAsync(address, p1.Token);

        // The officer asks party 1 for its name and ID number: an instruction like the others.
        await (await officer.PostAsJsonAsync($"/api/cases/{p1.CaseId}/instructions", new { kind = "details", partyId = p1.PartyId })).JsonAsync(202);
        await phone1.WaitForAsync("Instruction", i => i.GetProperty("kind").GetString() == "details");

        var party1 = app.RealClient(p1.Token);
        await (await party1.PostAsJsonAsync($"/api/cases/{p1.CaseId}/call-notices", new { kind = "call-back" })).JsonAsync(202);
        var notice = await console.WaitForAsync("CallNotice");
        Assert.Equal(p1.PartyId, notice.GetProperty("partyId").GetString());
        Assert.Equal("call-back", notice.GetProperty("kind").GetString());
        await (await party1.PostAsJsonAsync($"/api/cases/{p1.CaseId}/call-notices", new { kind = "left" })).JsonAsync(202);
        await console.WaitForAsync("CallNotice", n => n.GetProperty("kind").GetString() == "left");
        Assert.Empty(phone1.All("CallNotice"));

        var bad = await (await party1.PostAsJsonAsync($"/api/cases/{p1.CaseId}/call-notices", new { kind = "close-case" })).JsonAsync(400);
        Assert.True(bad.GetProperty("errors").TryGetProperty("kind", out _));

        // Another case's party cannot speak for this case; an officer is not a party.
        var (other, _) = await AcceptedTwoPartyCaseAsync("京B11111", "京C22222");
        Assert.Equal(HttpStatusCode.NotFound, (await app.RealClient(other.Token).PostAsJsonAsync($"/api/cases/{p1.CaseId}/call-notices", new { kind = "call-back" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PostAsJsonAsync($"/api/cases/{p1.CaseId}/call-notices", new { kind = "call-back" })).StatusCode);

        // Six a minute per party (Signalling:CallNoticesPerMinute); party 2's own budget is untouched.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await party1.PostAsJsonAsync($"/api/cases/{p1.CaseId}/call-notices", new { kind = "call-back" })).StatusCode);
        }

        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        Assert.Equal(HttpStatusCode.Accepted, (await app.RealClient(p2.Token).PostAsJsonAsync($"/api/cases/{p2.CaseId}/call-notices", new { kind = "call-back" })).StatusCode);
    }

    [Fact]
    public async Task Ice_servers_carry_short_lived_coturn_credentials_only_for_signed_in_callers()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.RealClient().GetAsync("/api/ice-servers")).StatusCode);
        var (p1, _) = await AcceptedTwoPartyCaseAsync();
        var ice = await app.RealClient(p1.Token).GetJsonAsync("/api/ice-servers");
        Assert.Equal(600, ice.GetProperty("ttlSeconds").GetInt32());
        var turn = ice.GetProperty("iceServers").EnumerateArray().Single(s => s.GetProperty("urls")[0].GetString()!.StartsWith("turn:", StringComparison.Ordinal));
        var username = turn.GetProperty("username").GetString()!;
        var expiry = DateTimeOffset.FromUnixTimeSeconds(long.Parse(username.Split(':')[0], System.Globalization.CultureInfo.InvariantCulture));
        Assert.InRange(expiry, DateTimeOffset.UtcNow.AddMinutes(9), DateTimeOffset.UtcNow.AddMinutes(11));
        Assert.Equal(p1.PartyId, username.Split(':')[1]);
#pragma warning disable CA5350 // checking coturn's HMAC-SHA1 scheme
        var expected = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes("test-secret-0123456789"), Encoding.UTF8.GetBytes(username)));
#pragma warning restore CA5350
        Assert.Equal(expected, turn.GetProperty("credential").GetString());
        Assert.Equal(IceServers.Credential("test-secret-0123456789", username), expected);
    }

    private static object Candidate(string caseId) =>
        new { caseId, toPartyId = (string?)null, type = "candidate", description = (object?)null, candidate = (object?)null };

    private static object Answer(string caseId) =>
        new { caseId, toPartyId = (string?)null, type = "answer", description = new { type = "answer", sdp = "v=0\r\n" }, candidate = (object?)null };

    [Fact]
    public async Task An_insurer_token_cannot_connect_to_the_hub()
    {
        var password = Secrets.NewPassword();
        await app.Services.GetRequiredService<OfficerStore>().CreateOrResetAsync("picc.desk", "PICC desk", Roles.Insurer, password, CancellationToken.None, "picc");
        var signIn = await app.RealClient().PostJsonAsync("/api/officers/sign-in", new { username = "picc.desk", password });
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => HubClient.ConnectAsync(address, signIn.GetProperty("token").GetString()));
        Assert.Contains("403", refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_party_cannot_send_an_offer_only_the_console_offers()
    {
        var (p1, _) = await AcceptedTwoPartyCaseAsync();
        await using var console = await HubClient.ConnectAsync(address, officerToken);
        await console.Connection.InvokeAsync<JsonElement>("WatchCase", Guid.Parse(p1.CaseId));
        await using var phone1 = await HubClient.ConnectAsync(address, p1.Token);

        var refused = await Assert.ThrowsAsync<HubException>(() => phone1.Connection.InvokeAsync("Signal", Offer(p1.CaseId, null)));
        Assert.Contains("Only the officer's console makes offers", refused.Message, StringComparison.Ordinal);
        // Answers still pass: the call itself works.
        await phone1.Connection.InvokeAsync("Signal", Answer(p1.CaseId));
        var got = await console.WaitForAsync("Signal");
        Assert.Equal("answer", got.GetProperty("type").GetString());
        Assert.DoesNotContain(console.All("Signal"), x => x.GetProperty("type").GetString() == "offer");
    }

    [Fact]
    public async Task An_ended_case_can_neither_signal_nor_connect_nor_get_TURN_credentials()
    {
        var (p1, p2) = await AcceptedTwoPartyCaseAsync();
        await using var console = await HubClient.ConnectAsync(address, officerToken);
        await console.Connection.InvokeAsync<JsonElement>("WatchCase", Guid.Parse(p1.CaseId));
        await using var phone1 = await HubClient.ConnectAsync(address, p1.Token);
        await phone1.Connection.InvokeAsync("Signal", Candidate(p1.CaseId));

        await officer.PostJsonAsync($"/api/cases/{p1.CaseId}/escalate", new { reason = "dispute" });

        // The connection that was open stays, but nothing more travels on it in either direction.
        var party = await Assert.ThrowsAsync<HubException>(() => phone1.Connection.InvokeAsync("Signal", Candidate(p1.CaseId)));
        Assert.Contains("over", party.Message, StringComparison.Ordinal);
        var officerSide = await Assert.ThrowsAsync<HubException>(() => console.Connection.InvokeAsync("Signal", Offer(p1.CaseId, p1.PartyId)));
        Assert.Contains("escalated", officerSide.Message, StringComparison.Ordinal);
        Assert.Empty(phone1.All("Signal"));
        await Assert.ThrowsAnyAsync<Exception>(() => HubClient.ConnectAsync(address, p2.Token));
        var turn = await app.RealClient(p2.Token).GetJsonAsync("/api/ice-servers", 409);
        Assert.Equal("escalated", turn.GetProperty("caseStatus").GetString());

        // An abandoned case alike; a waiting one still gets relay servers (its call is about to start).
        var anonymous = app.RealClient();
        var waiting = await anonymous.PostJsonAsync("/api/cases", Api.Report("粤B12345", parties: 1), 201);
        var waitingParty = app.RealClient(waiting.GetProperty("partyToken").GetString());
        Assert.Equal(HttpStatusCode.OK, (await waitingParty.GetAsync("/api/ice-servers")).StatusCode);
        await officer.PostJsonAsync($"/api/cases/{waiting.GetProperty("caseId").GetString()}/abandon", new { reason = "no_answer" });
        Assert.Equal("abandoned", (await waitingParty.GetJsonAsync("/api/ice-servers", 409)).GetProperty("caseStatus").GetString());
        await Assert.ThrowsAnyAsync<Exception>(() => HubClient.ConnectAsync(address, waiting.GetProperty("partyToken").GetString()));
    }

    [Fact]
    public async Task A_token_has_at_most_three_live_connections_and_a_reconnect_still_works()
    {
        var (p1, _) = await AcceptedTwoPartyCaseAsync();
        var phones = new List<HubClient>();
        for (var i = 0; i < 3; i++)
        {
            phones.Add(await HubClient.ConnectAsync(address, p1.Token));
        }

        await Assert.ThrowsAnyAsync<Exception>(() => HubClient.ConnectAsync(address, p1.Token));
        Assert.All(phones, p => Assert.Equal(HubConnectionState.Connected, p.Connection.State));

        // One connection ends (the phone lost it): the reconnect is let in once the server has seen it go.
        await phones[0].DisposeAsync();
        var again = await Eventually.Until(async () =>
        {
            try
            {
                return await HubClient.ConnectAsync(address, p1.Token);
            }
            catch (Exception ex) when (ex is not TimeoutException)
            {
                return null;
            }
        }, c => c is not null, "a reconnect after one connection closed");
        phones[0] = again!;
        await again!.Connection.InvokeAsync("Signal", Candidate(p1.CaseId));

        // An officer's session is capped alike.
        var consoles = new List<HubClient>();
        for (var i = 0; i < 3; i++)
        {
            consoles.Add(await HubClient.ConnectAsync(address, officerToken));
        }

        await Assert.ThrowsAnyAsync<Exception>(() => HubClient.ConnectAsync(address, officerToken));
        foreach (var c in phones.Concat(consoles))
        {
            await c.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_flood_of_refused_calls_is_logged_once_at_information_without_a_stack()
    {
        var capture = new LogCapture();
        using var logged = TestApp.Embedded(services: s => s.AddSingleton<ILoggerProvider>(capture));
        var at = logged.StartKestrel();
        var anonymous = logged.RealClient();
        var console = await logged.OfficerClientAsync();
        var report = await anonymous.PostJsonAsync("/api/cases", Api.Report(parties: 1), 201);
        var caseId = report.GetProperty("caseId").GetString()!;
        await console.PostJsonAsync($"/api/cases/{caseId}/accept", null);
        await using var phone = await HubClient.ConnectAsync(at, report.GetProperty("partyToken").GetString());

        for (var i = 0; i < 30; i++)
        {
            await Assert.ThrowsAsync<HubException>(() => phone.Connection.InvokeAsync("Signal", Offer(caseId, null)));
            await Assert.ThrowsAsync<HubException>(() => phone.Connection.InvokeAsync("Signal", new { caseId, type = "shout" }));
        }

        var refusals = capture.Entries.Where(e => e.Message.Contains("Hub call Signal refused", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, refusals.Count);
        Assert.All(refusals, e => Assert.Equal(LogLevel.Information, e.Level));
        Assert.Contains(refusals, e => e.Message.Contains("makes offers", StringComparison.Ordinal));
        Assert.Contains(refusals, e => e.Message.Contains("Signal type must be one of", StringComparison.Ordinal));
        Assert.DoesNotContain(capture.Entries, e => e.Exception is HubException);
        Assert.DoesNotContain(capture.Entries, e => e.Level >= LogLevel.Warning && e.Message.Contains("Signal", StringComparison.Ordinal));
    }

    private sealed record LogEntry(string Category, LogLevel Level, string Message, Exception? Exception);

    /// <summary>Keeps every log entry the app writes, for tests about what is logged.</summary>
    private sealed class LogCapture : ILoggerProvider
    {
        public ConcurrentQueue<LogEntry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(LogCapture owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue(new LogEntry(category, logLevel, formatter(state, exception), exception));
        }
    }
}
