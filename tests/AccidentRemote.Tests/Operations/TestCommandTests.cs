using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Operations;

/// <summary>
/// The README's test command, <c>infra/test.sh</c>, on any fresh Debian: run as root (a minimal server has no
/// sudo) it goes on; run by a user with sudo it starts itself again through sudo, keeping the settings the
/// suite reads; without sudo it says how to become root. The scripts are copied into a folder the test user
/// can read, and PATH holds only what the test puts there, so whether "sudo" exists is the test's choice.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class TestCommandTests : IDisposable
{
    private static readonly string[] Folders = ["/usr/bin", "/bin"];

    private readonly string root = Directory.CreateTempSubdirectory("ar-testcmd-").FullName;

    public TestCommandTests()
    {
        Directory.CreateDirectory(Path.Combine(root, "infra"));
        foreach (var script in new[] { "test.sh", "as-root.sh" })
        {
            File.Copy(Path.Combine(ProvisionedBroker.RepositoryRoot(), "infra", script), Path.Combine(root, "infra", script));
        }

        Directory.CreateDirectory(Path.Combine(root, "bin"));
        foreach (var tool in new[] { "id", "dirname", "grep", "env", "bash", "cat" })
        {
            File.CreateSymbolicLink(Path.Combine(root, "bin", tool), Which(tool));
        }

        Directory.CreateDirectory(Path.Combine(root, "out"));
        File.SetUnixFileMode(Path.Combine(root, "out"), (UnixFileMode)0x1FF); // 0777: the unprivileged user writes here
        foreach (var dir in new[] { root, Path.Combine(root, "infra"), Path.Combine(root, "bin") })
        {
            File.SetUnixFileMode(dir, (UnixFileMode)0x1ED); // 0755
        }
    }

    [Fact]
    public async Task Without_root_and_without_sudo_the_test_command_says_how_to_become_root()
    {
        var result = await AsNobodyAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("needs root", result.Error, StringComparison.Ordinal);
        Assert.Contains("sudo is not installed", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_user_with_sudo_gets_the_test_command_started_again_through_sudo_with_the_suite_settings()
    {
        var sudo = Path.Combine(root, "bin", "sudo");
        await File.WriteAllTextAsync(sudo, $"#!{Which("bash")}\nprintf '%s\\n' \"$@\" > {root}/out/sudo-args\n");
        File.SetUnixFileMode(sudo, (UnixFileMode)0x1ED);

        var result = await AsNobodyAsync("ACCIDENTREMOTE_TEST_POSTGRES=Host=db", "Database__Provider=Postgres", "UNRELATED_SECRET=x");

        Assert.True(result.ExitCode == 0, result.Both);
        var args = await File.ReadAllLinesAsync(Path.Combine(root, "out", "sudo-args"));
        Assert.Equal("env", args[0]);
        Assert.Contains("ACCIDENTREMOTE_TEST_POSTGRES=Host=db", args);
        Assert.Contains("Database__Provider=Postgres", args);
        Assert.DoesNotContain(args, a => a.StartsWith("UNRELATED_SECRET", StringComparison.Ordinal));
        Assert.Equal(["bash", Path.Combine(root, "infra", "test.sh"), "--fast"], args[^3..]);
    }

    [Fact]
    public async Task As_root_the_test_command_goes_on_without_sudo()
    {
        var result = await Commands.RunAsync(
            Which("bash"),
            ["-c", $"source {root}/infra/as-root.sh; as_root {root}/infra/test.sh; echo went-on"],
            new Dictionary<string, string> { ["PATH"] = Path.Combine(root, "bin") });

        Assert.True(Environment.UserName == "root", "The suite runs as root (infra/test.sh).");
        Assert.Equal("went-on", result.Output.Trim());
    }

    private Task<Commands.Result> AsNobodyAsync(params string[] settings) => Commands.RunAsync(
        "runuser",
        ["-u", "nobody", "--", Which("env"), "-i", $"PATH={Path.Combine(root, "bin")}", .. settings, Which("bash"), Path.Combine(root, "infra", "test.sh"), "--fast"],
        null,
        root);

    private static string Which(string tool) =>
        Folders.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{tool} is not in /usr/bin or /bin.");

    public void Dispose() => Directory.Delete(root, recursive: true);
}
