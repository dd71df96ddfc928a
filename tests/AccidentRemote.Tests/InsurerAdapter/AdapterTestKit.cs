using System.Text;
using System.Text.Json;
using AccidentRemote.Contracts.Claims;
using AccidentRemote.InsurerAdapter;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;

namespace AccidentRemote.Tests.InsurerAdapter;

/// <summary>
/// One insurer on a provisioned broker: starts adapters as that insurer, publishes claims as the
/// server user would (same properties as the server's dispatcher), and reads the server's ack queue.
/// </summary>
internal sealed class AdapterTestKit : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly List<IHost> hosts = [];
    private readonly List<(ClaimAcknowledged Ack, IReadOnlyBasicProperties Properties)> acks = [];

    private AdapterTestKit(ProvisionedBroker broker, DirectoryInfo folder)
    {
        Broker = broker;
        Work = folder;
    }

    public ProvisionedBroker Broker { get; }

    public string Code => Broker.Codes[0];

    /// <summary>A temporary folder for the state file and the insurer's drop folder.</summary>
    public DirectoryInfo Work { get; }

    public string StateFile => Path.Combine(Work.FullName, "state.db");

    public string DropFolder => Directory.CreateDirectory(Path.Combine(Work.FullName, "drop")).FullName;

    public static async Task<AdapterTestKit> CreateAsync() =>
        new(await ProvisionedBroker.CreateAsync("ins"), Directory.CreateTempSubdirectory("ar-adapter-"));

    public Dictionary<string, string?> Settings(Uri? http = null, int? port = null) => new()
    {
        ["Adapter:InsurerCode"] = Code,
        ["Adapter:Broker:Host"] = TestServices.RabbitHost,
        ["Adapter:Broker:Port"] = (port ?? TestServices.RabbitPort).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Adapter:Broker:VirtualHost"] = Broker.Vhost.Name,
        ["Adapter:Broker:Password"] = ProvisionedBroker.PasswordFor(ClaimsWire.BrokerUserFor(Code)),
        ["Adapter:Broker:NetworkRecoveryInterval"] = "00:00:00.200",
        ["Adapter:HttpEndpoint"] = http?.ToString(),
        ["Adapter:Folder"] = http is null ? DropFolder : null,
        ["Adapter:StateFile"] = StateFile,
        ["Adapter:FirstRetryDelay"] = "00:00:00.010",
        ["Adapter:MaxRetryDelay"] = "00:00:00.050",
    };

    public async Task<IHost> StartAdapterAsync(Dictionary<string, string?> settings, Action<AdapterHooks>? hooks = null)
    {
        var host = await StartHostAsync(settings, hooks);
        hosts.Add(host);
        return host;
    }

    /// <summary>The real insurer adapter hosted in the test process with these settings; the caller disposes it.</summary>
    public static async Task<IHost> StartHostAsync(Dictionary<string, string?> settings, Action<AdapterHooks>? hooks = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddLogging();
        var h = new AdapterHooks();
        hooks?.Invoke(h);
        builder.Services.AddSingleton(h);
        builder.AddInsurerAdapter();
        var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch
        {
            host.Dispose();
            throw;
        }

        return host;
    }

    /// <summary>Stops and disposes one adapter (the others keep running).</summary>
    public async Task StopAdapterAsync(IHost host)
    {
        hosts.Remove(host);
        await host.StopAsync();
        host.Dispose();
    }

    public static ClaimSubmitted NewClaim(string insurerCode) => new()
    {
        ClaimId = Guid.NewGuid(),
        CaseId = Guid.NewGuid(),
        CaseNumber = "AR261129-5VBE",
        InsurerCode = insurerCode,
        AccidentTime = DateTimeOffset.Parse("2026-11-28T18:06:48+00:00", System.Globalization.CultureInfo.InvariantCulture),
        ReportedAt = DateTimeOffset.Parse("2026-11-28T18:07:00+00:00", System.Globalization.CultureInfo.InvariantCulture),
        ClosedAt = DateTimeOffset.Parse("2026-11-28T18:30:00+00:00", System.Globalization.CultureInfo.InvariantCulture),
        Location = new ClaimLocation(39.9, 116.4, null),
        Insured = new InsuredParty(2, "沪AD12345", "small-car", null, "13912345678", "none"),
        OtherParties = [new OtherParty(1, "京A12345", "small-car", "picc", "full")],
    };

    public static byte[] Serialize(ClaimSubmitted claim) => JsonSerializer.SerializeToUtf8Bytes(claim, Json);

    /// <summary>Publishes as the server does: message_id = claim id, JSON, persistent, mandatory, confirmed.</summary>
    public async Task PublishAsync(byte[] body, string? messageId, string? routingKey = null)
    {
        await using var connection = await Broker.FactoryFor(Broker.ServerUser).CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties { MessageId = messageId, ContentType = "application/json", Persistent = true };
        await channel.BasicPublishAsync(ClaimsWire.Exchange, routingKey ?? Code, mandatory: true, properties, body);
    }

    public Task PublishAsync(ClaimSubmitted claim) => PublishAsync(Serialize(claim), claim.ClaimId.ToString());

    /// <summary>Waits until the server's ack queue has given an ack for each of these claims; returns every ack read so far.</summary>
    public async Task<IReadOnlyList<(ClaimAcknowledged Ack, IReadOnlyBasicProperties Properties)>> AcksUntilAsync(params Guid[] claimIds)
    {
        await using var connection = await Broker.Vhost.Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return await Eventually.Until(async () =>
        {
            while (await channel.BasicGetAsync(ClaimsWire.AcksQueue, autoAck: true) is { } got)
            {
                acks.Add((JsonSerializer.Deserialize<ClaimAcknowledged>(got.Body.Span, Json)!, got.BasicProperties));
            }

            return acks.ToList();
        }, all => claimIds.All(id => all.Any(a => a.Ack.ClaimId == id)), $"acks for {string.Join(", ", claimIds)}", TimeSpan.FromSeconds(60));
    }

    public async Task<List<BasicGetResult>> DeadLettersUntilAsync(int count)
    {
        var dead = new List<BasicGetResult>();
        await using var connection = await Broker.Vhost.Factory().CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await Eventually.Until(async () =>
        {
            while (await channel.BasicGetAsync(ClaimsWire.DeadLetterQueueFor(Code), autoAck: true) is { } got)
            {
                dead.Add(got);
            }

            return dead.Count;
        }, n => n >= count, $"{count} dead letters");
        return dead;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            foreach (var host in hosts)
            {
                await host.StopAsync();
                host.Dispose();
            }
        }
        finally
        {
            await Broker.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Work.Delete(recursive: true);
        }
    }

    public static string Text(ReadOnlyMemory<byte> body) => Encoding.UTF8.GetString(body.Span);
}
