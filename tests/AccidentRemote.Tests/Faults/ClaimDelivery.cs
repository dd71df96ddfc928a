using AccidentRemote.Tests.Infrastructure;
using AccidentRemote.Tests.InsurerAdapter;
using Dapper;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace AccidentRemote.Tests.Faults;

/// <summary>What the fault tests check at the end: every claim in the outbox reached the insurer's system exactly once.</summary>
internal static class ClaimDelivery
{
    /// <summary>The real insurer adapter, hosted in the test, handing claims over to <paramref name="sink"/> over HTTP.</summary>
    public static Task<IHost> StartAdapterAsync(string code, int brokerPort, string vhost, InsurerHttpSink sink, DirectoryInfo work)
    {
        return AdapterTestKit.StartHostAsync(new Dictionary<string, string?>
        {
            ["Adapter:InsurerCode"] = code,
            ["Adapter:Broker:Host"] = "127.0.0.1",
            ["Adapter:Broker:Port"] = brokerPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Adapter:Broker:VirtualHost"] = vhost,
            ["Adapter:Broker:Password"] = ProvisionedBroker.PasswordFor(ProvisionedBroker.InsurerUser(code)),
            ["Adapter:Broker:NetworkRecoveryInterval"] = "00:00:00.200",
            ["Adapter:HttpEndpoint"] = sink.Endpoint.ToString(),
            ["Adapter:StateFile"] = Path.Combine(work.FullName, "state.db"),
            ["Adapter:FirstRetryDelay"] = "00:00:00.010",
            ["Adapter:MaxRetryDelay"] = "00:00:00.050",
            ["Adapter:Prefetch"] = "50",
        });
    }

    public sealed record OutboxCounts(long Total, long Sent, long Acknowledged);

    public static async Task<OutboxCounts> CountAsync(string connectionString)
    {
        await using var c = new NpgsqlConnection(connectionString);
        return await c.QuerySingleAsync<OutboxCounts>("""
            SELECT count(*) AS total, count(*) FILTER (WHERE status = 'sent') AS sent,
                   count(*) FILTER (WHERE acknowledged_at IS NOT NULL) AS acknowledged
            FROM claims
            """);
    }

    /// <summary>
    /// Waits until the outbox has <paramref name="expected"/> claims, all sent and acknowledged, and
    /// the insurer's system has one of each; then asserts that each claim id was handed over
    /// exactly once and that the outbox and the insurer agree on the ids.
    /// </summary>
    public static async Task AssertEachClaimHandedOverOnceAsync(string connectionString, InsurerHttpSink sink, int expected, TimeSpan timeout)
    {
        await Eventually.Until(() => CountAsync(connectionString),
            n => n.Total == expected && n.Sent == expected && n.Acknowledged == expected,
            $"{expected} claims sent and acknowledged", timeout);
        await Eventually.Until(() => Task.FromResult(sink.Claims.Select(c => c.ClaimId).Distinct().Count()), n => n >= expected,
            $"{expected} claims in the insurer's system", timeout);

        await using var c = new NpgsqlConnection(connectionString);
        var outbox = (await c.QueryAsync<string>("SELECT id FROM claims")).Select(Guid.Parse).ToHashSet();
        var handedOver = sink.Claims.ToList();
        var doubled = handedOver.GroupBy(h => h.ClaimId).Where(g => g.Count() > 1).Select(g => $"{g.Key} x{g.Count()}").ToList();
        Assert.True(doubled.Count == 0, $"handed over more than once: {string.Join(", ", doubled.Take(10))}");
        Assert.Equal(expected, handedOver.Count);
        Assert.True(outbox.SetEquals(handedOver.Select(h => h.ClaimId)), "the insurer's system and the outbox hold different claims");
    }
}
