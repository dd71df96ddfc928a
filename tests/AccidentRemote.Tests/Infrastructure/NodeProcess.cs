using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AccidentRemote.Tests.Infrastructure;

/// <summary>
/// One server node as its own OS process, started by the operator's script
/// <c>infra/node/start-node.sh</c> on the build the tests run from (no build in the test). Its
/// output goes to a log file whose tail is in its failure messages and, at the end, in the
/// test's output. It can be killed with
/// SIGKILL (no shutdown code runs), stopped with SIGTERM, and started again on the same port and
/// settings; DisposeAsync always kills what is left.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly Dictionary<string, string?> environment;
    private readonly object logLock = new();
    private Process? process;
    private StreamWriter? log;

    private NodeProcess(string name, int port, Dictionary<string, string?> environment, string logFile)
    {
        Name = name;
        Port = port;
        this.environment = environment;
        LogFile = logFile;
    }

    public string Name { get; }

    public int Port { get; }

    public Uri Address => new($"http://127.0.0.1:{Port}");

    /// <summary>Where the node's stdout and stderr go (all its lives, appended).</summary>
    public string LogFile { get; }

    /// <summary>The process id of the running node (the script execs the server, so it is the server's).</summary>
    public int Pid => process?.Id ?? throw new InvalidOperationException($"{Name} is not running.");

    /// <summary>
    /// Starts the node with these settings (environment variables in the script's form, e.g.
    /// <c>Database__ConnectionString</c>) on a free loopback port and waits for /health/ready.
    /// </summary>
    public static async Task<NodeProcess> StartAsync(string name, Dictionary<string, string?> settings)
    {
        var logFile = Path.Combine(Path.GetTempPath(), $"ar-node-{name}-{Guid.NewGuid():N}.log");
        var node = new NodeProcess(name, FreePort(), new Dictionary<string, string?>(settings), logFile);
        try
        {
            await node.StartAgainAsync();
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return node;
    }

    /// <summary>Starts the node (again) on the same port and settings and waits until it is ready.</summary>
    public async Task StartAgainAsync()
    {
        if (process is { HasExited: false })
        {
            throw new InvalidOperationException($"{Name} is still running (pid {process.Id}).");
        }

        process?.Dispose();
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = ProvisionedBroker.RepositoryRoot(),
        };
        start.ArgumentList.Add(Path.Combine(ProvisionedBroker.RepositoryRoot(), "infra", "node", "start-node.sh"));
        start.ArgumentList.Add(Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        // Timestamps in the node's log, to read a failure against the test's own timeline.
        start.Environment["Logging__Console__TimestampFormat"] = "HH:mm:ss.fff ";
        start.Environment["ACCIDENTREMOTE_CONFIGURATION"] = Configuration;
        start.Environment["ACCIDENTREMOTE_BIND"] = "127.0.0.1";
        lock (logLock)
        {
            log ??= new StreamWriter(LogFile, append: true, Encoding.UTF8) { AutoFlush = true };
            log.WriteLine($"==== {Name}: start-node.sh {Port} ({DateTimeOffset.UtcNow:HH:mm:ss.fff})");
        }

        var p = new Process { StartInfo = start };
        p.OutputDataReceived += (_, e) => Write(e.Data);
        p.ErrorDataReceived += (_, e) => Write(e.Data);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        process = p;

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (p.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited with {p.ExitCode} before it was ready.\n{Tail()}");
            }

            try
            {
                using var response = await Probe.GetAsync(new Uri(Address, "/health/ready"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Write($"==== {Name}: ready ({DateTimeOffset.UtcNow:HH:mm:ss.fff})");
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{Name} was not ready on {Address} within 90 s.\n{Tail()}");
    }

    /// <summary>SIGKILL to the node and everything it started: no shutdown code runs, as in a crash or an OOM kill.</summary>
    public async Task KillAsync()
    {
        var p = process ?? throw new InvalidOperationException($"{Name} was never started.");
        p.Kill(entireProcessTree: true);
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Write($"==== {Name}: killed with SIGKILL ({DateTimeOffset.UtcNow:HH:mm:ss.fff})");
    }

    /// <summary>SIGTERM: the host's graceful shutdown.</summary>
    public async Task StopAsync()
    {
        var p = process ?? throw new InvalidOperationException($"{Name} was never started.");
        if (p.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        try
        {
            await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{Name} did not stop within 30 s of SIGTERM.\n{Tail()}");
        }

        Write($"==== {Name}: stopped with SIGTERM ({DateTimeOffset.UtcNow:HH:mm:ss.fff})");
    }

    /// <summary>Whether the node's process is running now.</summary>
    public bool IsRunning => process is { HasExited: false };

    /// <summary>The last lines of the node's log, for failure messages.</summary>
    public string Tail(int lines = 60)
    {
        lock (logLock)
        {
            log?.Flush();
        }

        using var reader = new StreamReader(new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite));
        var all = reader.ReadToEnd().Split('\n');
        return $"---- last lines of {LogFile} ----\n" + string.Join('\n', all.TakeLast(lines));
    }

    private void Write(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (logLock)
        {
            log?.WriteLine(line);
        }
    }

    /// <summary>A port nobody listens on now (the OS picks it; a tiny race with other tests is acceptable).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (process is { } p)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
                }
            }
            catch (InvalidOperationException)
            {
                // Exited in between.
            }

            p.Dispose();
        }

        if (!File.Exists(LogFile))
        {
            return;
        }

        // The log's tail goes to the test's output (shown with a failure); the file itself is removed.
        TestContext.Current.TestOutputHelper?.WriteLine(Tail(200));
        lock (logLock)
        {
            log?.Dispose();
            log = null;
        }

        File.Delete(LogFile);
    }
}
