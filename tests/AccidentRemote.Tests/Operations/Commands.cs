using System.Diagnostics;

namespace AccidentRemote.Tests.Operations;

/// <summary>Runs an operator's command (a script under <c>infra/</c>, <c>systemd-analyze</c>, <c>pg_dump</c>) as its own process.</summary>
public static class Commands
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string Both => Output + Error;

        public Result Succeeded(string what)
        {
            Assert.True(ExitCode == 0, $"{what} exited {ExitCode}:\n{Output}\n{Error}");
            return this;
        }
    }

    public static async Task<Result> RunAsync(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within 3 minutes.");
        }

        return new Result(process.ExitCode, await output, await error);
    }

    public static Task<Result> RunAsync(string file, params string[] args) => RunAsync(file, args, null);

    /// <summary>
    /// <c>systemd-analyze verify</c> on unit files: the lines it prints. It exits 0 on warnings
    /// (an unknown key, a value it cannot parse, a missing binary), so a unit is clean only when it prints nothing.
    /// </summary>
    public static async Task<IReadOnlyList<string>> VerifyUnitsAsync(params string[] unitFiles)
    {
        var result = await RunAsync("systemd-analyze", ["verify", .. unitFiles]);
        var lines = result.Both.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => !KnownNoise.Any(n => l.StartsWith(n, StringComparison.Ordinal)))
            .ToList();
        if (result.ExitCode != 0 && lines.Count == 0)
        {
            lines.Add($"systemd-analyze verify exited {result.ExitCode}");
        }

        return lines;
    }

    /// <summary>
    /// Lines <c>systemd-analyze verify</c> prints about the host, not about the units given to it.
    /// None has been seen on Debian 12 (systemd 252) without systemd running; keep the list exact.
    /// </summary>
    private static readonly string[] KnownNoise = [];

    /// <summary>The overall exposure <c>systemd-analyze security --offline=true</c> gives a unit file (0 = locked down, 10 = none).</summary>
    public static async Task<double> ExposureAsync(string unitFile)
    {
        var result = (await RunAsync("systemd-analyze", "security", "--offline=true", "--no-pager", unitFile)).Succeeded("systemd-analyze security");
        var line = result.Output.Split('\n').Single(l => l.Contains("Overall exposure level", StringComparison.Ordinal));
        var number = line[(line.LastIndexOf(':') + 1)..].Trim().Split(' ')[0];
        return double.Parse(number, System.Globalization.CultureInfo.InvariantCulture);
    }
}
