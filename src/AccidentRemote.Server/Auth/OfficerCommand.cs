using AccidentRemote.Server.Data;

namespace AccidentRemote.Server.Auth;

/// <summary>
/// <c>create-officer &lt;username&gt; "&lt;name&gt;" [officer|supervisor] [--badge &lt;警号&gt;]</c>: creates an officer (or
/// resets the password of an existing one, which ends all of its sessions) in the configured database
/// and prints a new random password once. <c>disable-officer &lt;username&gt;</c> /
/// <c>enable-officer &lt;username&gt;</c>: a disabled account cannot sign in and its sessions stop at once.
/// </summary>
internal static class OfficerCommand
{
    /// <summary>Runs create-officer; settings, when given, add to the environment and appsettings (tests point them at their database).</summary>
    public static async Task<int> RunAsync(string[] args, IDictionary<string, string?>? settings = null)
    {
        string? badge = null;
        var at = Array.IndexOf(args, "--badge");
        if (at >= 0)
        {
            badge = at + 1 < args.Length ? args[at + 1] : "";
            args = [.. args[..at], .. args[Math.Min(at + 2, args.Length)..]];
            if (!OfficerStore.IsBadgeNumber(badge))
            {
                await Console.Error.WriteLineAsync($"--badge '{badge}' is not a badge number (警号): give 4 to 10 digits or capital letters, e.g. --badge 012345.");
                return 2;
            }
        }

        var insurer = args.Length > 2 && args[2].StartsWith("insurer:", StringComparison.Ordinal) ? args[2]["insurer:".Length..] : null;
        if (args.Length < 2 || (args.Length > 2 && !Roles.IsStaffRole(args[2]) && string.IsNullOrEmpty(insurer)))
        {
            await Console.Error.WriteLineAsync("""
                usage: create-officer <username> "<display name>" [officer|supervisor|insurer:<code>] [--badge <警号>]
                Creates the officer, or resets the password of an existing one (ending its sessions), and prints a new password once.
                --badge sets the officer's badge number (警号), printed on the accident documents they issue; an officer without
                one cannot issue documents. Left out on a reset, the recorded one stays.
                """);
            return 2;
        }

        using var host = BuildHost(settings);
        await host.Services.GetRequiredService<Migrator>().MigrateAsync();
        var password = Secrets.NewPassword();
        var role = insurer is not null ? Roles.Insurer : args.Length > 2 ? args[2] : Roles.Officer;
        var officers = host.Services.GetRequiredService<OfficerStore>();
        await officers.CreateOrResetAsync(args[0], args[1], role, password, CancellationToken.None, insurer, badge);
        Console.WriteLine($"Officer '{args[0]}' ({role}) can sign in with password: {password}");
        Console.WriteLine("It is shown only now. Any earlier sessions of this account have ended.");
        if ((await officers.FindByUsernameAsync(args[0], CancellationToken.None))?.DisabledAt is not null)
        {
            Console.WriteLine($"The account is disabled: enable it with enable-officer {args[0]}.");
        }

        return 0;
    }

    /// <summary><c>disable-officer &lt;username&gt;</c> (disable = true) or <c>enable-officer &lt;username&gt;</c>.</summary>
    public static async Task<int> SetDisabledAsync(string[] args, bool disable, IDictionary<string, string?>? settings = null)
    {
        var command = disable ? "disable-officer" : "enable-officer";
        if (args.Length != 1 || string.IsNullOrWhiteSpace(args[0]))
        {
            await Console.Error.WriteLineAsync(disable
                ? "usage: disable-officer <username>\nThe account can no longer sign in and its open sessions stop working at once."
                : "usage: enable-officer <username>\nThe account may sign in again (with its existing password).");
            return 2;
        }

        using var host = BuildHost(settings);
        await host.Services.GetRequiredService<Migrator>().MigrateAsync();
        if (!await host.Services.GetRequiredService<OfficerStore>().SetDisabledAsync(args[0], disable, $"command:{command}", CancellationToken.None))
        {
            await Console.Error.WriteLineAsync($"No account has the username '{args[0]}' (usernames are case-sensitive).");
            return 1;
        }

        Console.WriteLine(disable
            ? $"Account '{args[0]}' is disabled; its sessions have ended."
            : $"Account '{args[0]}' is enabled again.");
        return 0;
    }

    private static IHost BuildHost(IDictionary<string, string?>? settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddData();
        builder.Services.AddSingleton<OfficerStore>();
        return builder.Build();
    }
}
