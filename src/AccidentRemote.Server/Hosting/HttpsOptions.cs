namespace AccidentRemote.Server.Hosting;

/// <summary>
/// HTTPS served by Kestrel itself from certificate files (no TLS-terminating proxy in front). Section <c>Https</c>.
/// With <see cref="CertificatePath"/> set, every <c>https://</c> address of the server's URLs (<c>Urls</c>,
/// <c>--urls</c>, <c>ASPNETCORE_URLS</c>) presents this certificate and plain HTTP is redirected to HTTPS,
/// except the health probes and the metrics port. The files are read and checked at start.
/// </summary>
public sealed class HttpsOptions
{
    public const string Section = "Https";

    /// <summary>
    /// The certificate: a PEM file (e.g. certbot's <c>fullchain.pem</c>: the server's certificate first, then
    /// its intermediates, which are sent along) or a PKCS#12 file (<c>.pfx</c>/<c>.p12</c>, with its key inside).
    /// Empty (the default): Kestrel serves no HTTPS, e.g. because nginx terminates TLS.
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key (e.g. <c>privkey.pem</c>). Empty: the key is read from <see cref="CertificatePath"/> (a PFX, or a PEM holding both).</summary>
    public string? KeyPath { get; set; }

    /// <summary>The password of an encrypted PEM key (<c>ENCRYPTED PRIVATE KEY</c>) or of the PFX. Empty: not encrypted.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Send <c>Strict-Transport-Security</c> on HTTPS answers (also on answers a trusted proxy forwarded from HTTPS).
    /// Never on plain HTTP and never to localhost/127.0.0.1/[::1]. Only for a certificate that browsers trust:
    /// once a browser has seen it, it refuses the site when the certificate is wrong, without a way to proceed.
    /// </summary>
    public bool Hsts { get; set; }

    /// <summary>How long browsers remember <see cref="Hsts"/> (<c>max-age</c>).</summary>
    public TimeSpan HstsMaxAge { get; set; } = TimeSpan.FromDays(365);

    /// <summary>
    /// The port that redirects from <c>http://</c> point to. Empty (the default): the server's own <c>https://</c> port.
    /// Set it when the public HTTPS port differs (a port forward from 443).
    /// </summary>
    public int? RedirectPort { get; set; }

    /// <summary>Kestrel serves HTTPS (and HTTP is redirected).</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(CertificatePath);
}
