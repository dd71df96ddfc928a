using AccidentRemote.Server.Data;
using AccidentRemote.Server.Evidence;
using AccidentRemote.Server.Privacy;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Hosting;

/// <summary>
/// The supervisor's privacy commands, on the configured database and evidence folder:
/// <c>purge</c> (one retention round now), <c>export-person --phone X | --id-number Y [--out file]</c>
/// and <c>erase-case &lt;caseId&gt; --by &lt;name&gt;</c>. Each is audited like the same action on the API.
/// Exit codes: 0 done, 1 refused or nothing found, 2 wrong usage.
/// </summary>
internal static class PrivacyCommands
{
    private const string Usage = """
        usage: purge
               export-person (--phone <number> | --id-number <id>) [--out <file>] --by <your name>
               erase-case <caseId> --by <your name>
        purge removes what is past its retention now (the server also does it every Privacy:PurgeInterval).
        export-person writes everything held about one person as JSON (to stdout, or to --out).
        erase-case removes a closed case's personal data early; refused while it is open or a claim is unanswered.
        """;

    public static async Task<int> RunAsync(string command, string[] args)
    {
        var options = Parse(args);
        var by = options.GetValueOrDefault("--by");
        if (command != "purge" && string.IsNullOrWhiteSpace(by))
        {
            await Console.Error.WriteLineAsync("Say who you are with --by <name>: it goes into the audit log.\n" + Usage);
            return 2;
        }

        var actor = $"supervisor-cli:{by}";
        using var host = Build();
        await host.Services.GetRequiredService<Migrator>().MigrateAsync();
        var store = host.Services.GetRequiredService<PrivacyStore>();
        switch (command)
        {
            case "purge":
                var report = await store.PurgeAsync(CancellationToken.None);
                Console.WriteLine($"Purged: {report.EvidenceFiles} evidence files, personal data of {report.Parties} parties, {report.StaffSessions} staff sessions. " +
                    $"{report.CasesWaitingForClaims} ended cases wait for an insurer's answer.");
                return 0;

            case "export-person":
                var phone = options.GetValueOrDefault("--phone");
                var id = options.GetValueOrDefault("--id-number");
                if ((phone is null) == (id is null))
                {
                    await Console.Error.WriteLineAsync("Give exactly one of --phone or --id-number.\n" + Usage);
                    return 2;
                }

                var export = await store.ExportAsync(phone, id, actor, CancellationToken.None);
                var json = PrivacyStore.ToJson(export);
                if (options.GetValueOrDefault("--out") is { } file)
                {
                    await File.WriteAllTextAsync(file, json);
                    Console.WriteLine($"Wrote {export.Cases.Count} parties to {file}.");
                }
                else
                {
                    Console.WriteLine(json);
                }

                return export.Cases.Count > 0 ? 0 : 1;

            case "erase-case":
                if (args.Length == 0 || !Guid.TryParse(args[0], out var caseId))
                {
                    await Console.Error.WriteLineAsync("Give the case id (a GUID) first.\n" + Usage);
                    return 2;
                }

                switch (await store.EraseCaseAsync(caseId, actor, CancellationToken.None))
                {
                    case EraseResult.Erased e:
                        Console.WriteLine($"Erased the personal data of {e.Parties} parties and {e.EvidenceFiles} evidence files of case {caseId}.");
                        return 0;
                    case EraseResult.Refused r:
                        await Console.Error.WriteLineAsync($"Not erased. {r.Reason}");
                        return 1;
                    default:
                        await Console.Error.WriteLineAsync($"There is no case {caseId}.");
                        return 1;
                }

            default:
                await Console.Error.WriteLineAsync(Usage);
                return 2;
        }
    }

    private static IHost Build()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddData();
        builder.Services.AddOptions<EvidenceOptions>().Bind(builder.Configuration.GetSection(EvidenceOptions.Section)).ValidateDataAnnotations();
        builder.Services.AddSingleton<EvidenceBlobs>();
        builder.Services.AddPrivacyServices(builder.Configuration);
        var host = builder.Build();
        // A wrong setting fails here with its message, as at the server's start.
        _ = host.Services.GetRequiredService<IOptions<PrivacyOptions>>().Value;
        _ = host.Services.GetRequiredService<IOptions<EvidenceOptions>>().Value;
        return host;
    }

    private static Dictionary<string, string> Parse(string[] args)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                d[args[i]] = args[i + 1];
                i++;
            }
        }

        return d;
    }
}
