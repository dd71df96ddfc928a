using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AccidentRemote.Tests.Infrastructure;

/// <summary>
/// A coturn of the test's own that speaks TURN over TLS only (<c>--no-udp --no-tcp --no-dtls</c>): the way in
/// from a mobile network that lets nothing but TLS out. Its certificate, for localhost and 127.0.0.1, comes
/// from a <see cref="TestCertificateAuthority"/>; <see cref="SpkiSha256"/> is what Chromium is told to trust. Loopback peers are
/// allowed because every browser of the test is on 127.0.0.1; never in production (infra/coturn/turnserver.conf).
/// </summary>
public sealed class TlsTurnServer : IAsyncDisposable
{
    private readonly string folder;
    private readonly Process process;

    private TlsTurnServer(string folder, Process process, int port, string secret, string spki)
    {
        this.folder = folder;
        this.process = process;
        Port = port;
        Secret = secret;
        SpkiSha256 = spki;
    }

    public int Port { get; }

    /// <summary>coturn's static-auth-secret, the server's Turn:Secret.</summary>
    public string Secret { get; }

    /// <summary>Base64 SHA-256 of the certificate's SubjectPublicKeyInfo (Chromium's --ignore-certificate-errors-spki-list).</summary>
    public string SpkiSha256 { get; }

    /// <summary>The URL the server hands out: TURN over TLS, by host name, as in production (turns:turn.example.org:443?transport=tcp).</summary>
    public string Url => $"turns:localhost:{Port}?transport=tcp";

    public string Log => File.Exists(Path.Combine(folder, "turn.log")) ? File.ReadAllText(Path.Combine(folder, "turn.log")) : "";

    public static async Task<TlsTurnServer> StartAsync()
    {
        var folder = Directory.CreateTempSubdirectory("ar-turns-").FullName;
        string spki;
        using (var ca = TestCertificateAuthority.Create())
        {
            ca.WritePem(folder, "cert.pem", "key.pem");
            spki = ca.ServerSpkiSha256;
        }

        var port = NodeProcess.FreePort();
        var secret = "turns-test-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var start = new ProcessStartInfo("turnserver") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
        {
            "-n", "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1",
            $"--listening-port={NodeProcess.FreePort()}", $"--tls-listening-port={port}",
            "--no-udp", "--no-tcp", "--no-dtls", "--no-tlsv1", "--no-tlsv1_1",
            $"--cert={Path.Combine(folder, "cert.pem")}", $"--pkey={Path.Combine(folder, "key.pem")}",
            "--use-auth-secret", $"--static-auth-secret={secret}", "--realm=accidentremote.test",
            "--no-cli", "--fingerprint", "--min-port=49500", "--max-port=49600", "--allow-loopback-peers",
            $"--log-file={Path.Combine(folder, "turn.log")}", "--simple-log", $"--pidfile={Path.Combine(folder, "turn.pid")}",
        })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("turnserver did not start: run the suite with infra/test.sh, which installs coturn.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new TlsTurnServer(folder, process, port, secret, spki);
        try
        {
            await Eventually.Until(async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"turnserver exited ({process.ExitCode}):\n{server.Log}");
                }

                using var probe = new TcpClient();
                try
                {
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            }, up => up, $"coturn's TLS listener on 127.0.0.1:{port}", TimeSpan.FromSeconds(20));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        process.Dispose();
        Directory.Delete(folder, recursive: true);
    }
}
