using System.Security.Cryptography;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Operations;

/// <summary>
/// <c>infra/install.sh</c> as an operator runs it, into a temporary root (AR_PREFIX, AR_ETC, AR_STATE,
/// AR_UNIT_DIR) with a test user name: twice, the second time after the operator edited the env file.
/// The "published build" is the build the tests run from (the same layout as a framework-dependent
/// publish: the executable, its dlls, wwwroot's manifest). The test removes the users it made.
/// </summary>
public sealed class InstallTests : IAsyncLifetime
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private readonly string root = Directory.CreateTempSubdirectory("ar-install-").FullName;
    private readonly string user = "artest" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    private string Adapter => user + "-adapter";

    [Fact]
    public async Task Installing_twice_sets_up_users_folders_env_files_and_units_and_the_second_run_changes_nothing()
    {
        var first = await InstallAsync();
        Assert.Contains($"user {user} created", first, StringComparison.Ordinal);
        Assert.Contains("systemd is not running here", first, StringComparison.Ordinal);

        // Users: system accounts without a login shell.
        foreach (var u in new[] { user, Adapter })
        {
            var entry = (await Commands.RunAsync("getent", "passwd", u)).Succeeded($"getent passwd {u}").Output.Trim().Split(':');
            Assert.Equal("/usr/sbin/nologin", entry[6]);
            Assert.True(int.Parse(entry[2], System.Globalization.CultureInfo.InvariantCulture) < 1000, $"{u} is a system user (uid {entry[2]})");
        }

        var files = await SnapshotAsync();
        // The build: root's, readable, not writable by the services.
        Assert.Equal($"755 root root", files["opt/server/AccidentRemote.Server"].Owner);
        Assert.Equal($"644 root root", files["opt/server/AccidentRemote.Server.dll"].Owner);
        Assert.Equal($"755 root root", files["opt/insurer-adapter/AccidentRemote.InsurerAdapter"].Owner);
        Assert.Equal($"755 root root", files["opt/server"].Owner);
        // The only writable folders, each its service's.
        Assert.Equal($"750 {user} {user}", files["state/data"].Owner);
        Assert.Equal($"750 {user} {user}", files["state/evidence"].Owner);
        Assert.Equal($"750 {Adapter} {Adapter}", files["state/insurer-adapter"].Owner);
        // Secrets: readable by root and the service's group only.
        Assert.Equal($"640 root {user}", files["etc/node.env"].Owner);
        Assert.Equal($"640 root {Adapter}", files["etc/insurer-adapter.env"].Owner);
        Assert.Equal(files["etc/node.env"].Sha256, Sha256(Path.Combine(ProvisionedBroker.RepositoryRoot(), "infra", "node", "node.env.example")));
        Assert.Equal("644 root root", files["units/accidentremote.service"].Owner);

        // The installed units name this installation's user and paths, and systemd finds nothing to warn about.
        var unit = await File.ReadAllTextAsync(Path.Combine(root, "units", "accidentremote.service"));
        Assert.Contains($"\nUser={user}\n", unit, StringComparison.Ordinal);
        Assert.Contains($"\nExecStart={root}/opt/server/AccidentRemote.Server ", unit, StringComparison.Ordinal);
        Assert.Contains($"\nEnvironmentFile={root}/etc/node.env\n", unit, StringComparison.Ordinal);
        Assert.Contains($"\nReadWritePaths={root}/state/evidence {root}/state/data\n", unit, StringComparison.Ordinal);
        Assert.DoesNotContain("/opt/accidentremote", unit, StringComparison.Ordinal);
        var adapterUnit = await File.ReadAllTextAsync(Path.Combine(root, "units", "accidentremote-insurer-adapter.service"));
        Assert.Contains($"\nUser={Adapter}\n", adapterUnit, StringComparison.Ordinal);
        Assert.Empty(await Commands.VerifyUnitsAsync(
            Path.Combine(root, "units", "accidentremote.service"), Path.Combine(root, "units", "accidentremote-insurer-adapter.service")));

        // The operator fills in the env file; a second run keeps it, and changes nothing else either.
        var env = Path.Combine(root, "etc", "node.env");
        await File.AppendAllTextAsync(env, "Turn__Secret=filled-in-by-the-operator-0123456789\n");
        var edited = await SnapshotAsync();
        var second = await InstallAsync();
        Assert.Contains("nothing to change", second, StringComparison.Ordinal);
        var after = await SnapshotAsync();
        Assert.Equal(edited.Keys.Order(), after.Keys.Order());
        foreach (var (path, was) in edited)
        {
            Assert.True(was == after[path], $"{path} changed on the second run: {was} -> {after[path]}");
        }

        Assert.Contains("Turn__Secret=filled-in-by-the-operator-0123456789", await File.ReadAllTextAsync(env), StringComparison.Ordinal);
    }

    private async Task<string> InstallAsync()
    {
        var repo = ProvisionedBroker.RepositoryRoot();
        var result = await Commands.RunAsync("bash",
            [Path.Combine(repo, "infra", "install.sh"),
             "--server", Path.Combine(repo, "src", "AccidentRemote.Server", "bin", Configuration, "net10.0"),
             "--insurer-adapter", Path.Combine(repo, "src", "AccidentRemote.InsurerAdapter", "bin", Configuration, "net10.0")],
            new Dictionary<string, string>
            {
                ["AR_PREFIX"] = Path.Combine(root, "opt"),
                ["AR_ETC"] = Path.Combine(root, "etc"),
                ["AR_STATE"] = Path.Combine(root, "state"),
                ["AR_UNIT_DIR"] = Path.Combine(root, "units"),
                ["AR_USER"] = user,
            });
        return result.Succeeded("infra/install.sh").Output;
    }

    private sealed record Entry(string Owner, long Size, string Modified, string Sha256);

    /// <summary>Every file and folder under the root: mode, owner, group, size, modification time, content hash.</summary>
    private async Task<Dictionary<string, Entry>> SnapshotAsync()
    {
        var listing = (await Commands.RunAsync("find", root, "-mindepth", "1", "-printf", "%P\t%m %u %g\t%s\t%T@\n")).Succeeded("find").Output;
        return listing.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')).ToDictionary(
            f => f[0],
            f =>
            {
                var full = Path.Combine(root, f[0]);
                return new Entry(f[1], Directory.Exists(full) ? 0 : long.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture), f[3],
                    File.Exists(full) ? Sha256(full) : "");
            });
    }

    private static string Sha256(string file) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(file)));

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        foreach (var u in new[] { Adapter, user })
        {
            if ((await Commands.RunAsync("getent", "passwd", u)).ExitCode == 0)
            {
                (await Commands.RunAsync("userdel", u)).Succeeded($"userdel {u}");
            }

            if ((await Commands.RunAsync("getent", "group", u)).ExitCode == 0)
            {
                (await Commands.RunAsync("groupdel", u)).Succeeded($"groupdel {u}");
            }
        }

        Directory.Delete(root, recursive: true);
    }
}
