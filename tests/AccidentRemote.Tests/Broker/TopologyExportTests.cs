using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using AccidentRemote.Server.Claims;
using AccidentRemote.Server.Insurers;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Tests.Broker;

/// <summary>
/// The server's <c>topology --json</c> export, which <c>infra/rabbitmq/provision.sh</c> declares, against what
/// the running server itself declares on a real broker (BrokerTopology with RabbitMQ.Client, the ack queue
/// with MassTransit). If the two diverge, a provisioned broker refuses the server's declarations
/// (PRECONDITION_FAILED) or misses a binding; this test fails first.
/// </summary>
public sealed class TopologyExportTests : PostgresAndBrokerTest
{
    [Fact]
    public async Task The_topology_export_that_provisioning_reads_is_exactly_what_the_server_declares_on_a_real_broker()
    {
        using var app = TestApp.Production(Database.ConnectionString, Vhost.Name);
        var codes = app.Services.GetRequiredService<IOptions<InsurerOptions>>().Value.Catalogue.Select(i => i.Code).ToArray();
        Assert.NotEmpty(codes);
        await app.Services.GetRequiredService<BrokerTopology>().Declared.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // The ack queue and its bindings are MassTransit's, declared when the bus starts.
        await Eventually.Until(() => BindingsAsync(), b => codes.All(c => b.Contains($"{ClaimsTopology.Acks.Name} -{c}-> {ClaimsTopology.AcksQueue.Name}")), "the ack queue's bindings");

        var export = JsonDocument.Parse(await ExportAsync(codes)).RootElement;

        foreach (var exchange in export.GetProperty("exchanges").EnumerateArray())
        {
            var declared = await GetAsync($"api/exchanges/{Vhost.Name}/{exchange.GetProperty("name").GetString()}");
            Assert.Equal(exchange.GetProperty("type").GetString(), declared.GetProperty("type").GetString());
            Assert.Equal(exchange.GetProperty("durable").GetBoolean(), declared.GetProperty("durable").GetBoolean());
        }

        var exported = export.GetProperty("queues").EnumerateArray().ToDictionary(q => q.GetProperty("name").GetString()!);
        // MassTransit's own bus-instance queue, if it made one, is auto-delete: not part of the topology.
        var queues = (await GetAsync($"api/queues/{Vhost.Name}")).EnumerateArray()
            .Where(q => !q.GetProperty("auto_delete").GetBoolean())
            .ToDictionary(q => q.GetProperty("name").GetString()!);
        Assert.Equal(exported.Keys.Order(), queues.Keys.Order());
        foreach (var (name, queue) in exported)
        {
            Assert.Equal(queue.GetProperty("durable").GetBoolean(), queues[name].GetProperty("durable").GetBoolean());
            Assert.Equal(Arguments(queue), Arguments(queues[name]));
        }

        // Every binding from a claims exchange, both ways: none missing on the broker, none the export lacks.
        var exchanges = export.GetProperty("exchanges").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ToHashSet();
        var bindings = (await BindingsAsync()).Where(b => exchanges.Contains(b[..b.IndexOf(' ', StringComparison.Ordinal)])).Order().ToList();
        Assert.Equal(
            export.GetProperty("bindings").EnumerateArray()
                .Select(b => $"{b.GetProperty("exchange").GetString()} -{b.GetProperty("routingKey").GetString()}-> {b.GetProperty("queue").GetString()}")
                .Order(),
            bindings);
    }

    /// <summary>The export as provision.sh gets it: the server's command line, a separate process.</summary>
    private static async Task<string> ExportAsync(string[] codes)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(ProvisionedBroker.ServerDll);
        start.ArgumentList.Add("topology");
        start.ArgumentList.Add("--json");
        foreach (var code in codes)
        {
            start.ArgumentList.Add(code);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await stderr);
        return await stdout;
    }

    private static SortedDictionary<string, string> Arguments(JsonElement queue) =>
        new(queue.GetProperty("arguments").EnumerateObject().ToDictionary(a => a.Name, a => a.Value.GetRawText()), StringComparer.Ordinal);

    /// <summary>
    /// The broker's bindings as routes to queues. MassTransit binds a source exchange to an exchange named like its
    /// queue, which forwards to that queue; provision.sh binds the source to the queue directly. Both route the
    /// same messages to the same queue, so an exchange hop of that kind counts as a binding to the queue.
    /// </summary>
    private async Task<List<string>> BindingsAsync()
    {
        var all = (await GetAsync($"api/bindings/{Vhost.Name}")).EnumerateArray()
            .Where(b => b.GetProperty("source").GetString() != "")
            .Select(b => (Source: b.GetProperty("source").GetString()!, Key: b.GetProperty("routing_key").GetString()!,
                Destination: b.GetProperty("destination").GetString()!, ToQueue: b.GetProperty("destination_type").GetString() == "queue"))
            .ToList();
        var forwarding = all.Where(b => b.ToQueue && b.Source == b.Destination).Select(b => b.Source).ToHashSet();
        return all.Where(b => b.ToQueue ? b.Source != b.Destination : forwarding.Contains(b.Destination))
            .Select(b => $"{b.Source} -{b.Key}-> {b.Destination}")
            .ToList();
    }

    private static async Task<JsonElement> GetAsync(string path) => await RabbitVhost.Management.GetFromJsonAsync<JsonElement>(path);
}
