using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Data;

namespace AccidentRemote.Server.Hosting;

/// <summary>
/// <c>create-officer &lt;username&gt; "&lt;name&gt;" [officer|supervisor]</c>: creates an officer (or
/// resets the password of an existing one) in the configured database and prints a new
/// random password once.
/// </summary>
internal static class OfficerCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var insurer = args.Length > 2 && args[2].StartsWith("insurer:", StringComparison.Ordinal) ? args[2]["insurer:".Length..] : null;
        if (args.Length < 2 || (args.Length > 2 && !Roles.IsStaffRole(args[2]) && string.IsNullOrEmpty(insurer)))
        {
            await Console.Error.WriteLineAsync("""
                usage: create-officer <username> "<display name>" [officer|supervisor|insurer:<code>]
                Creates the officer, or resets the password of an existing one, and prints a new password once.
                """);
            return 2;
        }

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddData();
        builder.Services.AddSingleton<OfficerStore>();
        using var host = builder.Build();
        await host.Services.GetRequiredService<Migrator>().MigrateAsync();
        var password = Secrets.NewPassword();
        var role = insurer is not null ? Roles.Insurer : args.Length > 2 ? args[2] : Roles.Officer;
        await host.Services.GetRequiredService<OfficerStore>().CreateOrResetAsync(args[0], args[1], role, password, CancellationToken.None, insurer);
        Console.WriteLine($"Officer '{args[0]}' ({role}) can sign in with password: {password}");
        Console.WriteLine("It is shown only now.");
        return 0;
    }
}
