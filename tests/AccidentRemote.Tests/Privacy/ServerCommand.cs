using System.Diagnostics;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Privacy;

/// <summary>
/// The server's own command line (<c>purge</c>, <c>export-person</c>, <c>erase-case</c>, <c>verify-audit</c>)
/// as an operator runs it: a separate process on the build the tests run from, its settings in the
/// environment (<c>Database__ConnectionString</c> …).
/// </summary>
public static class ServerCommand
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(Dictionary<string, string?> settings, params string[] args)
    {
        var project = Path.Combine(ProvisionedBroker.RepositoryRoot(), "src", "AccidentRemote.Server");
        var dll = Path.Combine(project, "bin", Configuration, "net10.0", "AccidentRemote.Server.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }
}
