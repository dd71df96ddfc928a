using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace AccidentRemote.Tests.Infrastructure;

/// <summary>
/// A throwaway Debian nginx on loopback as the reverse proxy of docs/deployment.md: its config, logs,
/// pid file and temp folders live in one temp folder (nothing global is touched), it proxies to the
/// server under test with the usual <c>X-Forwarded-For $proxy_add_x_forwarded_for</c> and
/// <c>X-Forwarded-Proto $scheme</c> (and WebSocket upgrades), and DisposeAsync stops it and deletes
/// the folder. A missing nginx is a failure, never a skip: infra/test.sh installs it.
/// </summary>
public sealed class Nginx : IAsyncDisposable
{
    private readonly Process process;

    private Nginx(Process process, string folder, int port)
    {
        this.process = process;
        Folder = folder;
        Port = port;
    }

    /// <summary>Where nginx listens, e.g. http://127.0.0.1:41234/.</summary>
    public Uri Address => new($"http://127.0.0.1:{Port}/");

    public int Port { get; }

    /// <summary>The temp folder with nginx.conf, error.log and access.log.</summary>
    public string Folder { get; }

    public static string Executable => Environment.GetEnvironmentVariable("ACCIDENTREMOTE_TEST_NGINX") ?? "/usr/sbin/nginx";

    /// <summary>
    /// Starts nginx on a free loopback port in front of <paramref name="upstream"/> and waits until it accepts connections.
    /// <paramref name="serverDirectives"/> go into the server block (e.g. <c>listen … ssl;</c> and certificates for an HTTPS test);
    /// <paramref name="listen"/> replaces the default <c>listen 127.0.0.1:&lt;port&gt;;</c> line when given.
    /// </summary>
    public static async Task<Nginx> StartAsync(Uri upstream, string serverDirectives = "", string? listen = null)
    {
        var folder = CreateFolder();
        var port = NodeProcess.FreePort();
        return await RunAsync(folder, port, $$"""
            access_log {{folder}}/access.log;
            client_max_body_size 20m;
            map $http_upgrade $connection_upgrade { default upgrade; '' close; }
            server {
                {{listen ?? $"listen 127.0.0.1:{port};"}}
                {{serverDirectives}}
                location / {
                    proxy_pass {{upstream.GetLeftPart(UriPartial.Authority)}};
                    proxy_http_version 1.1;
                    proxy_set_header Host $host;
                    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                    proxy_set_header X-Forwarded-Proto $scheme;
                    proxy_set_header Upgrade $http_upgrade;
                    proxy_set_header Connection $connection_upgrade;
                }
            }
            """);
    }

    /// <summary>
    /// Starts nginx with a site configuration as an operator installs it (the contents of
    /// <c>/etc/nginx/sites-enabled/…</c>, included in the http block), already rendered for loopback by the caller.
    /// <paramref name="render"/> gets the run folder (for certificates and logs) and returns the site's text;
    /// <paramref name="port"/> is the port the site listens on, waited for before returning.
    /// </summary>
    public static async Task<Nginx> StartSiteAsync(int port, Func<string, string> render)
    {
        var folder = CreateFolder();
        var site = Path.Combine(folder, "site.conf");
        await File.WriteAllTextAsync(site, render(folder));
        return await RunAsync(folder, port, $"access_log {folder}/access.log;\ninclude {site};");
    }

    private static string CreateFolder()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"nginx is not at {Executable}. Run the suite with `infra/test.sh`, which installs Debian's nginx.");
        }

        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The nginx tests run on Linux (Debian's nginx).");
        }

        var folder = Directory.CreateTempSubdirectory("ar-nginx-").FullName;
        foreach (var temp in new[] { "client_body", "proxy", "fastcgi", "uwsgi", "scgi" })
        {
            // Workers run as an unprivileged user when the tests run as root: they buffer bodies here.
            var dir = Directory.CreateDirectory(Path.Combine(folder, temp));
            File.SetUnixFileMode(dir.FullName, (UnixFileMode)0b111_111_111);
        }

        File.SetUnixFileMode(folder, (UnixFileMode)0b111_101_101);
        return folder;
    }

    /// <summary>Writes nginx.conf around <paramref name="http"/> (the http block's contents), starts nginx and waits for <paramref name="port"/>.</summary>
    private static async Task<Nginx> RunAsync(string folder, int port, string http)
    {
        var conf = Path.Combine(folder, "nginx.conf");
        await File.WriteAllTextAsync(conf, $$"""
            worker_processes 1;
            error_log {{folder}}/error.log warn;
            events { worker_connections 512; }
            http {
                client_body_temp_path {{folder}}/client_body;
                proxy_temp_path {{folder}}/proxy;
                fastcgi_temp_path {{folder}}/fastcgi;
                uwsgi_temp_path {{folder}}/uwsgi;
                scgi_temp_path {{folder}}/scgi;
            {{http}}
            }
            """);

        var start = new ProcessStartInfo(Executable) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in new[] { "-p", folder, "-c", conf, "-e", Path.Combine(folder, "error.log"), "-g", $"daemon off; pid {folder}/nginx.pid;" })
        {
            start.ArgumentList.Add(arg);
        }

        var p = Process.Start(start) ?? throw new InvalidOperationException("nginx did not start.");
        var nginx = new Nginx(p, folder, port);
        try
        {
            await nginx.WaitListeningAsync();
        }
        catch
        {
            await nginx.DisposeAsync();
            throw;
        }

        return nginx;
    }

    /// <summary>
    /// An HttpClient whose connections leave from <paramref name="source"/> (e.g. 127.0.0.2): on Linux every
    /// 127.x.y.z is loopback, so several "clients" on one machine have different addresses.
    /// </summary>
    /// <param name="trustedCa">For https: the test CA that signed nginx's certificate (the only root trusted).</param>
    public static HttpClient ClientFrom(IPAddress source, Uri baseAddress, TestCertificateAuthority? trustedCa = null)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            UseCookies = false,
            AllowAutoRedirect = false,
            SslOptions = trustedCa is null ? new() : new()
            {
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is X509Certificate2 leaf && trustedCa.Issued(leaf),
            },
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(source.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress };
    }

    /// <summary>nginx's access and error logs, for failure messages.</summary>
    public string Logs()
    {
        return string.Join('\n', Directory.GetFiles(Folder, "*.log").Order(StringComparer.Ordinal)
            .Select(f => $"---- nginx {Path.GetFileName(f)} ----\n{File.ReadAllText(f)}"));
    }

    private async Task WaitListeningAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"nginx exited with {process.ExitCode}: {await process.StandardError.ReadToEndAsync()}\n{Logs()}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new TimeoutException($"nginx did not listen on {Address} within 20 s.\n{Logs()}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }

        process.Dispose();
        Directory.Delete(Folder, recursive: true);
    }
}
