using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Tests.Cases;

/// <summary>A wrong setting stops the server at start with a message that says which and why.</summary>
public sealed class StartupValidationTests
{
    public static TheoryData<string, string?, string> BadSettings => new()
    {
        { "Bus:RabbitMq:Password", null, "Bus:RabbitMq:Username and Bus:RabbitMq:Password are required" },
        { "Insurers:Catalogue:0:Code", "Bad Code!", "Insurers:Catalogue:0:Code 'Bad Code!'" },
        { "Insurers:Catalogue:0:Hotline", "call us", "Insurers:Catalogue:0:Hotline 'call us' must be" },
        { "Claims:BatchSize", "0", "BatchSize" },
        { "Signalling:RedisPrefix", "Prod Env!", "Signalling:RedisPrefix must be" },
        { "Cases:JoinFailuresBeforeLock", "0", "Cases:JoinFailuresBeforeLock must be between" },
        { "Cases:JoinFailuresPerClient", "0", "Cases:JoinFailuresPerClient must be between" },
        { "Cases:JoinFailuresGlobal", "0", "Cases:JoinFailuresGlobal must be between" },
        { "Cases:JoinFailureWindowMinutes", "0", "Cases:JoinFailureWindowMinutes must be between" },
        { "Signalling:MaxConnectionsPerToken", "1", "Signalling:MaxConnectionsPerToken must be between 2 and 100" },
        { "Auth:PartyTokenLifetimeAfterCaseEnd", "00:10:00", "Auth:PartyTokenLifetimeAfterCaseEnd must be between 1 hour and 365 days" },
        { "Insurers:SuggestionsPerMinutePerClient", "0", "Insurers:SuggestionsPerMinutePerClient is 0" },
        { "Evidence:MaxBytesPerParty", "2048", "Evidence:MaxBytesPerParty must be at least Evidence:MaxBytes" },
        { "Evidence:LinkLifetime", "30.00:00:00", "Evidence:LinkLifetime must be between" },
        { "Turn:Urls:0", "turns:turn.example.org:443?transport=udp", "Turn:Urls:0 'turns:turn.example.org:443?transport=udp': browsers do not speak TURN over DTLS" },
        { "Turn:Urls:0", "turn:turn.example.org:3478?transport=sctp", "Turn:Urls:0 'turn:turn.example.org:3478?transport=sctp' is not a TURN URL" },
        { "Turn:Urls:0", "https://turn.example.org", "Turn:Urls:0 'https://turn.example.org' is not a TURN URL" },
        { "Telemetry:Otlp:Endpoint", "collector:4317", "Telemetry:Otlp:Endpoint 'collector:4317' is not an absolute http:// or https:// address" },
        { "Telemetry:Otlp:Headers", "api-key", "Telemetry:Otlp:Headers entry 1 has no name=value form" },
        { "Telemetry:Otlp:Protocol", "Http", "Telemetry:Otlp" },
        { "Kpis:GaugeRefresh", "00:00:00", "Kpis:GaugeRefresh must be between" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public void A_bad_setting_fails_the_start_with_a_message_naming_it(string key, string? value, string expected)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Sqlite",
            ["Database:ConnectionString"] = $"Data Source={Path.Combine(Path.GetTempPath(), $"ar-cfg-{Guid.NewGuid():N}.db")}",
            ["Bus:Transport"] = key.StartsWith("Bus:", StringComparison.Ordinal) ? "RabbitMq" : "InMemory",
            ["Bus:RabbitMq:Username"] = "accidentremote",
            [key] = value,
        };
        using var app = TestApp.WithSettings(settings);
        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var all = ex is OptionsValidationException o ? string.Join(" ", o.Failures) : ex.ToString();
        Assert.Contains(expected, all, StringComparison.Ordinal);
    }
}
