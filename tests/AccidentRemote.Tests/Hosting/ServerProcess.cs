using System.Diagnostics;
using AccidentRemote.Tests.Infrastructure;

namespace AccidentRemote.Tests.Hosting;

/// <summary>
/// The server as an operator starts it (<c>dotnet AccidentRemote.Server.dll [args]</c> on the tests' own build,
/// the project folder as working directory, settings in the environment), with every line it writes to
/// stdout and stderr kept in order. Stop sends SIGTERM; Dispose kills what is left.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private readonly Process process;
    private readonly List<string> lines = [];

    private ServerProcess(Process process) => this.process = process;

    /// <summary>Everything written so far, stdout and stderr, one entry a line.</summary>
    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (lines)
            {
                return [.. lines];
            }
        }
    }

    public string Output => string.Join('\n', Lines);

    public static ServerProcess Start(Dictionary<string, string?> environment, params string[] args)
    {
        var project = Path.Combine(ProvisionedBroker.RepositoryRoot(), "src", "AccidentRemote.Server");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(project, "bin", Configuration, "net10.0", "AccidentRemote.Server.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var server = new ServerProcess(new Process { StartInfo = start });
        server.process.OutputDataReceived += (_, e) => server.Add(e.Data);
        server.process.ErrorDataReceived += (_, e) => server.Add(e.Data);
        server.process.Start();
        server.process.BeginOutputReadLine();
        server.process.BeginErrorReadLine();
        return server;
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            lock (lines)
            {
                lines.Add(line);
            }
        }
    }

    /// <summary>Waits until the output contains <paramref name="text"/>; fails early with the output when the server exits.</summary>
    public async Task WaitForAsync(string text, string what)
    {
        await Eventually.Until(
            () => Task.FromResult((Output.Contains(text, StringComparison.Ordinal), process.HasExited)),
            r => r.Item1 || r.Item2,
            what,
            TimeSpan.FromSeconds(90));
        if (!Output.Contains(text, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The server exited ({process.ExitCode}) before {what}:\n{Output}");
        }
    }

    /// <summary>SIGTERM and wait for the exit, so that everything it logs on the way out is in <see cref="Lines"/>.</summary>
    public async Task StopAsync()
    {
        if (!process.HasExited)
        {
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        // The asynchronous readers may still hold the last lines.
        process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            }
        }
        catch (InvalidOperationException)
        {
            // Exited in between.
        }

        process.Dispose();
    }
}
