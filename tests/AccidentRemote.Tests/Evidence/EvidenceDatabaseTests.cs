using AccidentRemote.Server.Cases;
using AccidentRemote.Server.Data;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Tests.Evidence;

/// <summary>Evidence metadata on SQLite (embedded) and on PostgreSQL with RabbitMQ (production shape).</summary>
public sealed class EvidenceDatabaseTests
{
    [Theory]
    [BothDatabases]
    public async Task Evidence_metadata_round_trips_and_duplicates_are_caught_by_the_database(DatabaseProvider provider)
    {
        await using var postgres = provider == DatabaseProvider.Postgres ? await PostgresDatabase.CreateAsync() : null;
        await using var vhost = provider == DatabaseProvider.Postgres ? await RabbitVhost.CreateAsync() : null;
        using var host = postgres is null ? EvidenceHost.Embedded() : EvidenceHost.Production(postgres.ConnectionString, vhost!.Name);
        var kase = await TestCase.CreateAsync(host);
        var party = host.Party(kase.Party2Token);

        var photo = await Upload.PostAsync(party, kase.CaseId, TestFiles.WebPExtended(4000, 3000), 201, fields: new()
        {
            ["angle"] = "both-cars", ["partyId"] = kase.Party1Id, ["latitude"] = "-33.8568", ["longitude"] = "151.2153",
        });
        var document = await Upload.PostAsync(party, kase.CaseId, TestFiles.Pdf(), 201, kind: "document");

        var listed = await party.GetJsonAsync($"/api/cases/{kase.CaseId}/evidence");
        Assert.Equal([photo.GetRawText(), document.GetRawText()], listed.EnumerateArray().Select(e => e.GetRawText()));
        Assert.Equal(kase.Party1Id, photo.GetProperty("partyId").GetString());
        Assert.Equal(-33.8568, listed[0].GetProperty("latitude").GetDouble());
        Assert.Equal(4000, listed[0].GetProperty("width").GetInt32());
        Assert.Equal(kase.Party2Id, listed[1].GetProperty("partyId").GetString());

        // The unique (case_id, sha256) constraint, not only the look-up before it, keeps one row.
        var twin = new AccidentRemote.Server.Evidence.EvidenceRow
        {
            Id = Guid.NewGuid(), CaseId = Guid.Parse(kase.CaseId), Kind = "photo", ContentType = "image/webp", Size = 1,
            Sha256 = photo.GetProperty("sha256").GetString()!, CapturedBy = "party:x", CapturedAt = DateTimeOffset.UtcNow,
        };
        var begin = await host.Factory.Services.GetRequiredService<CaseTransactions>().BeginAsync(
            Guid.Parse(kase.CaseId), new CaseActor.Party(Guid.Parse(kase.Party2Id)), null, CancellationToken.None);
        await using var tx = begin.Transaction!;
        var duplicate = Assert.IsType<AccidentRemote.Server.Evidence.EvidenceAdd.Duplicate>(
            await AccidentRemote.Server.Evidence.EvidenceStore.AddAsync(tx, twin, null, int.MaxValue, int.MaxValue));
        Assert.Equal(Guid.Parse(photo.GetProperty("id").GetString()!), duplicate.Existing.Id);
        Assert.Equal(provider, host.Factory.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Provider);
    }
}
