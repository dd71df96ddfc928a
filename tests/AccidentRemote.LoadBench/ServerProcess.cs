using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using AccidentRemote.Server.Auth;
using AccidentRemote.Server.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AccidentRemote.LoadBench;

/// <summary>
/// The real server as its own OS process, as it is deployed: the built Release
/// <c>AccidentRemote.Server.dll</c> under <c>dotnet</c>, settings through environment variables,
/// Kestrel on a free loopback port. The bench is then a pure client, and the server's memory is
/// the process's own (<c>/proc/&lt;pid&gt;/status</c>), as for the PeerJS node process.
/// </summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly string folder;

    private ServerProcess(Process process, Uri baseAddress, string folder)
    {
        this.process = process;
        BaseAddress = baseAddress;
        this.folder = folder;
    }

    public Uri BaseAddress { get; }

    public int Pid => process.Id;

    /// <summary>Starts the server on PostgreSQL with the in-memory bus and waits until /health/ready answers.</summary>
    public static async Task<ServerProcess> StartAsync(string postgres, CancellationToken ct)
    {
        var root = BenchServers.RepositoryRoot();
        var project = Path.Combine(root, "src", "AccidentRemote.Server");
        var dll = Path.Combine(project, "bin", "Release", "net10.0", "AccidentRemote.Server.dll");
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: build the server in Release (infra/bench-load.sh does).");
        }

        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var folder = Path.Combine(Path.GetTempPath(), $"ar-loadbench-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        var start = new ProcessStartInfo("dotnet")
        {
            // The content root (appsettings.json, wwwroot) is the working directory, as with `dotnet run`.
            WorkingDirectory = project,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        var env = start.Environment;
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["Urls"] = baseAddress.ToString();
        env["Database__Provider"] = "Postgres";
        env["Database__ConnectionString"] = postgres;
        env["Bus__Transport"] = "InMemory";
        env["Evidence__StoragePath"] = Path.Combine(folder, "evidence");
        env["Documents__PublicBaseUrl"] = baseAddress.ToString();
        foreach (var (key, value) in BenchServers.Raised())
        {
            if (key != "contentRoot")
            {
                env[key.Replace(":", "__", StringComparison.Ordinal)] = value;
            }
        }

        // GC: whatever the server's own runtimeconfig says (the Web SDK default, server GC with DATAS),
        // unless the bench was started with DOTNET_gcServer etc., which the child inherits.
        var p = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        var output = new System.Text.StringBuilder();
        p.OutputDataReceived += (_, e) => Keep(output, e.Data);
        p.ErrorDataReceived += (_, e) => Keep(output, e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        var server = new ServerProcess(p, baseAddress, folder);
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (p.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(90))
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"The server process did not become ready:\n{output}");
            }

            try
            {
                if ((await http.GetAsync("/health/ready", ct)).IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(200, ct);
        }

        return server;
    }

    private static void Keep(System.Text.StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            if (output.Length < 64 * 1024)
            {
                output.AppendLine(line);
            }
        }
    }

    /// <summary>Officers straight into the server's database (as the server's own <c>create-officer</c> command does), each with a new password.</summary>
    public static async Task<List<(string Username, string Password)>> CreateOfficersAsync(string postgres, string prefix, int count)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["Database:ConnectionString"] = postgres,
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddData();
        builder.Services.AddSingleton<OfficerStore>();
        using var host = builder.Build();
        var store = host.Services.GetRequiredService<OfficerStore>();
        var officers = new List<(string, string)>();
        for (var o = 0; o < count; o++)
        {
            var username = prefix + o.ToString(CultureInfo.InvariantCulture);
            var password = Secrets.NewPassword();
            await store.CreateOrResetAsync(username, "Bench " + username, Roles.Officer, password, CancellationToken.None);
            officers.Add((username, password));
        }

        return officers;
    }

    /// <summary>Resident set size of the server process (VmRSS in /proc/&lt;pid&gt;/status), bytes.</summary>
    public long RssBytes() => Rss(process.Id);

    public static long Rss(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS for process {pid}");
    }

    /// <summary>Sum of user + system CPU time the process used (from /proc/&lt;pid&gt;/stat), seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // after "pid (comm) ": state is field 0, utime field 11, stime field 12 (clock ticks, 100 Hz on Linux)
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
