using System.Diagnostics;
using RabbitMQ.Client;

namespace AccidentRemote.Tests.Infrastructure;

/// <summary>
/// A fresh virtual host provisioned by the real <c>infra/rabbitmq/provision.sh</c>, with its own
/// server user and insurer codes. Users are global to the broker, not per vhost, so every
/// instance makes unique names (tests run in parallel) and deletes them afterwards.
/// </summary>
public sealed class ProvisionedBroker : IAsyncDisposable
{
    private readonly string suffix = Guid.NewGuid().ToString("N")[..8];

    private ProvisionedBroker(RabbitVhost vhost, string[] codes)
    {
        Vhost = vhost;
        Codes = [.. codes.Select(c => $"{c}{suffix}")];
    }

    public RabbitVhost Vhost { get; }

    /// <summary>The insurer codes, made unique: <c>a</c> becomes e.g. <c>a1f2e3d4c</c>.</summary>
    public IReadOnlyList<string> Codes { get; }

    public string ServerUser => $"accidentremote-server-{suffix}";

    public static string PasswordFor(string user) => $"pw-{user}";

    public static async Task<ProvisionedBroker> CreateAsync(params string[] codes)
    {
        var broker = new ProvisionedBroker(await RabbitVhost.CreateAsync(), codes);
        await broker.ProvisionAsync();
        return broker;
    }

    /// <summary>Runs the script (again); fails the test with its output if it fails.</summary>
    public async Task<string> ProvisionAsync()
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot(), "infra", "rabbitmq", "provision.sh"));
        start.ArgumentList.Add(Vhost.Name);
        foreach (var code in Codes)
        {
            start.ArgumentList.Add(code);
            start.Environment[$"INSURER_PASSWORD_{code.ToUpperInvariant().Replace('-', '_')}"] = PasswordFor($"insurer-{code}");
        }

        start.Environment["RABBITMQ_API"] = TestServices.RabbitManagement;
        start.Environment["RABBITMQ_ADMIN_USER"] = TestServices.RabbitUser;
        start.Environment["RABBITMQ_ADMIN_PASSWORD"] = TestServices.RabbitPassword;
        start.Environment["SERVER_USER"] = ServerUser;
        start.Environment["SERVER_PASSWORD"] = PasswordFor(ServerUser);
        start.Environment["ACCIDENTREMOTE_SERVER"] = ServerDll;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"provision.sh exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }

        return await stdout;
    }

    /// <summary>A connection factory logging in as <paramref name="user"/> (password as provisioned).</summary>
    public ConnectionFactory FactoryFor(string user, int? port = null)
    {
        var factory = Vhost.Factory(port);
        factory.UserName = user;
        factory.Password = PasswordFor(user);
        return factory;
    }

    public static string InsurerUser(string code) => $"insurer-{code}";

    public async ValueTask DisposeAsync()
    {
        // Users first: they outlive the vhost, and a leftover user is a leftover password.
        try
        {
            foreach (var user in Codes.Select(InsurerUser).Append(ServerUser))
            {
                await RabbitVhost.Management.DeleteAsync($"api/users/{user}");
            }
        }
        finally
        {
            await Vhost.DisposeAsync();
        }
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    /// <summary>The server build the tests run from: provision.sh reads the topology from it (<c>topology --json</c>).</summary>
    public static string ServerDll => Path.Combine(RepositoryRoot(), "src", "AccidentRemote.Server", "bin", Configuration, "net10.0", "AccidentRemote.Server.dll");

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "infra", "rabbitmq", "provision.sh")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find infra/rabbitmq/provision.sh above " + AppContext.BaseDirectory);
    }
}
