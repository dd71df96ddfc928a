using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AccidentRemote.Tests.Infrastructure;
using Npgsql;

namespace AccidentRemote.Tests.ScaleOut;

/// <summary>
/// Two server nodes as separate processes, started by the operator's infra/node/start-node.sh on
/// two ports, sharing PostgreSQL, RabbitMQ and Redis and nothing else.
/// </summary>
public sealed class NodeProcessTests
{
    private const int Races = 5;

    [Fact]
    public async Task Two_officers_on_two_node_processes_accept_the_same_case_at_once_and_exactly_one_wins_the_other_is_told_at_once()
    {
        await using var database = await PostgresDatabase.CreateAsync();
        await using var vhost = await RabbitVhost.CreateAsync();
        var pooled = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = true, MaxPoolSize = 10 }.ConnectionString;
        var prefix = Guid.NewGuid().ToString("N")[..6];

        // Officers as an operator makes them before the nodes start (the schema comes with them).
        string tokenA, tokenB;
        using (var admin = TestApp.WithSettings(new() { ["Database:Provider"] = "Postgres", ["Database:ConnectionString"] = pooled, ["Bus:Transport"] = "InMemory" }))
        {
            tokenA = (await admin.OfficerClientAsync($"a{prefix}")).DefaultRequestHeaders.Authorization!.Parameter!;
            tokenB = (await admin.OfficerClientAsync($"b{prefix}")).DefaultRequestHeaders.Authorization!.Parameter!;
        }

        var redisPrefix = $"test-{prefix}";
        Dictionary<string, string?> Settings() => new()
        {
            ["Database__ConnectionString"] = pooled,
            ["Bus__RabbitMq__Host"] = TestServices.RabbitHost,
            ["Bus__RabbitMq__Port"] = TestServices.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Bus__RabbitMq__VirtualHost"] = vhost.Name,
            ["Bus__RabbitMq__Username"] = TestServices.RabbitUser,
            ["Bus__RabbitMq__Password"] = TestServices.RabbitPassword,
            ["Signalling__Redis"] = TestServices.Redis,
            ["Signalling__RedisPrefix"] = redisPrefix, // the Redis is shared with other tests running at the same time
        };
        var starting = new[] { NodeProcess.StartAsync("node1", Settings()), NodeProcess.StartAsync("node2", Settings()) };
        NodeProcess[] nodes;
        try
        {
            nodes = await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var started in starting.Where(t => t.IsCompletedSuccessfully))
            {
                await (await started).DisposeAsync();
            }

            throw;
        }

        await using var node1 = nodes[0];
        await using var node2 = nodes[1];
        Assert.NotEqual(node1.Pid, node2.Pid);
        using var anonymous = new HttpClient { BaseAddress = node1.Address };
        using var officerA = Client(node1.Address, tokenA);
        using var officerB = Client(node2.Address, tokenB);
        await using var consoleA = await HubClient.ConnectAsync(node1.Address, tokenA);
        await using var consoleB = await HubClient.ConnectAsync(node2.Address, tokenB);

        var wins = new Dictionary<string, int> { ["node1"] = 0, ["node2"] = 0 };
        for (var race = 0; race < Races; race++)
        {
            var report = await anonymous.PostJsonAsync("/api/cases", Api.Report($"京A{prefix[..3].ToUpperInvariant()}{race:00}", parties: 1), 201);
            var caseId = report.GetProperty("caseId").GetString()!;
            await using var phone = await HubClient.ConnectAsync(node1.Address, report.GetProperty("partyToken").GetString());
            // Both consoles see the case waiting (node 2's through the backplane) before they race for it.
            await consoleA.WaitForAsync("QueueChanged", q => InQueue(q, caseId));
            await consoleB.WaitForAsync("QueueChanged", q => InQueue(q, caseId));

            using var go = new Barrier(2);
            var answers = await Task.WhenAll(
                Task.Run(() => { go.SignalAndWait(); return officerA.PostAsync($"/api/cases/{caseId}/accept", null); }),
                Task.Run(() => { go.SignalAndWait(); return officerB.PostAsync($"/api/cases/{caseId}/accept", null); }));

            var statuses = answers.Select(a => a.StatusCode).ToArray();
            Assert.Single(statuses, s => s == HttpStatusCode.OK);
            Assert.Single(statuses, s => s == HttpStatusCode.Conflict);
            var loser = answers.Single(a => a.StatusCode == HttpStatusCode.Conflict);
            Assert.Contains("另一位民警刚刚接听了这起案件", await loser.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            wins[answers[0].StatusCode == HttpStatusCode.OK ? "node1" : "node2"]++;

            // The driver (on node 1) hears the case was answered, and the case leaves both consoles' queues.
            await phone.WaitForAsync("CaseChanged", c => c.GetProperty("status").GetString() == "in_call");
            await consoleA.WaitForAsync("QueueChanged", q => !InQueue(q, caseId));
            await consoleB.WaitForAsync("QueueChanged", q => !InQueue(q, caseId));
            foreach (var a in answers)
            {
                a.Dispose();
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{Races} races: node1 won {wins["node1"]}, node2 won {wins["node2"]}");
    }

    private static bool InQueue(JsonElement queue, string caseId) =>
        queue.EnumerateArray().Any(i => i.GetProperty("caseId").GetString() == caseId);

    private static HttpClient Client(Uri address, string token)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
