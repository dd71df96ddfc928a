using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Operations;

/// <summary>
/// The units in <c>infra/systemd/</c> as systemd reads them: <c>systemd-analyze verify</c> (works without
/// systemd running) prints nothing, and the hardening holds. verify needs the ExecStart binary to exist, so
/// the unit is checked as written except that <c>/opt/accidentremote</c> points at a folder holding an executable.
/// </summary>
public sealed class SystemdUnitTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("ar-units-").FullName;

    public static TheoryData<string, string, string> Units => new()
    {
        { "accidentremote.service", "server/AccidentRemote.Server", "accidentremote" },
        { "accidentremote-insurer-adapter.service", "insurer-adapter/AccidentRemote.InsurerAdapter", "accidentremote-adapter" },
    };

    [Theory, MemberData(nameof(Units))]
    public async Task Each_unit_verifies_without_a_warning_and_runs_locked_down_as_its_own_user(string unit, string executable, string user)
    {
        var text = await File.ReadAllTextAsync(Path.Combine(ProvisionedBroker.RepositoryRoot(), "infra", "systemd", unit));
        var binary = Path.Combine(root, "opt", executable);
        Directory.CreateDirectory(Path.GetDirectoryName(binary)!);
        File.Copy("/bin/true", binary);
        var file = Path.Combine(root, unit);
        await File.WriteAllTextAsync(file, text.Replace("/opt/accidentremote/", Path.Combine(root, "opt") + "/", StringComparison.Ordinal));

        Assert.Empty(await Commands.VerifyUnitsAsync(file));

        var settings = text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.Contains($"User={user}", settings);
        Assert.Contains($"Group={user}", settings);
        foreach (var required in new[]
        {
            "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes",
            "ProtectKernelTunables=yes", "ProtectKernelModules=yes", "ProtectKernelLogs=yes", "ProtectControlGroups=yes",
            "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "CapabilityBoundingSet=", "AmbientCapabilities=", "Restart=on-failure",
        })
        {
            Assert.Contains(required, settings);
        }

        Assert.Single(settings, s => s.StartsWith("EnvironmentFile=/etc/accidentremote/", StringComparison.Ordinal));
        // Nothing writable but the service's own folders under /var/lib/accidentremote.
        var writable = settings.Where(s => s.StartsWith("ReadWritePaths=", StringComparison.Ordinal))
            .SelectMany(s => s["ReadWritePaths=".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.NotEmpty(writable);
        Assert.All(writable, p => Assert.StartsWith("/var/lib/accidentremote/", p, StringComparison.Ordinal));

        // systemd's own score: 3.0 for these units ("OK"); a unit without the hardening above scores 9.2 ("UNSAFE").
        var exposure = await Commands.ExposureAsync(file);
        Assert.True(exposure <= 3.5, $"{unit}: systemd-analyze security gives exposure {exposure}, expected at most 3.5");
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
