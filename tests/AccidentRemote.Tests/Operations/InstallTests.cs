using System.Security.Cryptography;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Operations;

/// <summary>
/// <c>infra/install.sh</c> as an operator runs it, into a temporary root (AR_PREFIX, AR_ETC, AR_STATE,
/// AR_UNIT_DIR) with a test user name: twice, the second time after the operator edited the env file; then the
/// installed node is started from its unit's command line and environment, as its user.
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

        await The_installed_node_starts_as_its_user_from_the_units_command_line_and_environment(env);
    }

    /// <summary>
    /// What systemd would do, without systemd (this machine runs none) and without its sandbox: the unit's
    /// ExecStart, as its User, in its WorkingDirectory, with its Environment= lines and then the env file's
    /// (which override them). The env file points the database at SQLite in the data folder and the bus
    /// in memory, so the node needs nothing else; it must listen where the unit says (every address, port 5080).
    /// </summary>
    private async Task The_installed_node_starts_as_its_user_from_the_units_command_line_and_environment(string envFile)
    {
        var data = Path.Combine(root, "state", "data");
        await File.WriteAllTextAsync(envFile,
            $"Database__Provider=Sqlite\nDatabase__ConnectionString=\"Data Source={data}/accidentremote.db\"\nBus__Transport=InMemory\n");
        var unit = (await File.ReadAllLinesAsync(Path.Combine(root, "units", "accidentremote.service"))).Where(l => !l.StartsWith('#')).ToList();
        string Setting(string key) => unit.Single(l => l.StartsWith(key + "=", StringComparison.Ordinal))[(key.Length + 1)..];
        var environment = new Dictionary<string, string> { ["PATH"] = "/usr/sbin:/usr/bin:/sbin:/bin" };
        foreach (var line in unit.Where(l => l.StartsWith("Environment=", StringComparison.Ordinal))
            .Concat((await File.ReadAllLinesAsync(envFile)).Where(l => l.Contains('=', StringComparison.Ordinal) && !l.StartsWith('#'))))
        {
            var assignment = line.StartsWith("Environment=", StringComparison.Ordinal) ? line["Environment=".Length..] : line;
            var (key, value) = (assignment[..assignment.IndexOf('=', StringComparison.Ordinal)], assignment[(assignment.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim('"'));
            environment[key] = value;
        }

        var start = new System.Diagnostics.ProcessStartInfo("env") { WorkingDirectory = Setting("WorkingDirectory"), UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-i");
        foreach (var (key, value) in environment)
        {
            start.ArgumentList.Add($"{key}={value}");
        }

        start.ArgumentList.Add("runuser");
        start.ArgumentList.Add("-u");
        start.ArgumentList.Add(Setting("User"));
        start.ArgumentList.Add("--");
        foreach (var word in Setting("ExecStart").Split(' '))
        {
            start.ArgumentList.Add(word);
        }

        using var node = System.Diagnostics.Process.Start(start)!;
        var output = new System.Text.StringBuilder();
        node.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        node.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        node.BeginOutputReadLine();
        node.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            await Eventually.Until(async () =>
            {
                Assert.False(node.HasExited, $"the node exited:\n{output}");
                try
                {
                    // 127.0.0.2: answered only when the node listens on every address (0.0.0.0, as the unit says),
                    // not on 127.0.0.1 alone (appsettings.json's Urls, which an ASPNETCORE_URLS in the unit would not override).
                    return (int)(await http.GetAsync("http://127.0.0.2:5080/health/ready")).StatusCode;
                }
                catch (HttpRequestException)
                {
                    return 0;
                }
            }, status => status == 200, "the installed node to answer /health/ready on the unit's port", TimeSpan.FromSeconds(60));

            // It runs as the service user, and what it wrote is in its data folder and belongs to that user.
            var owner = (await Commands.RunAsync("stat", "-c", "%U", Path.Combine(data, "accidentremote.db"))).Succeeded("stat").Output.Trim();
            Assert.Equal(user, owner);
        }
        finally
        {
            node.Kill(entireProcessTree: true);
            await node.WaitForExitAsync();
        }
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

    public ValueTask InitializeAsync()
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("infra/install.sh installs on Debian.");
        }

        // Like / itself: the service users must be able to pass through to /opt, /etc and /var/lib.
        File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return ValueTask.CompletedTask;
    }

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
