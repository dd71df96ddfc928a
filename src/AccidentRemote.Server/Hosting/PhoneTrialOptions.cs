namespace AccidentRemote.Server.Hosting;

/// <summary>
/// Trying the service on a real phone in minutes (<c>--lan</c>): HTTPS on this computer's LAN address with a
/// self-signed certificate the server makes. Section <c>PhoneTrial</c>. Not for real use: the phone warns
/// about the certificate, and the server listens on the LAN address only.
/// </summary>
public sealed class PhoneTrialOptions
{
    public const string Section = "PhoneTrial";

    /// <summary>On with the start option <c>--lan</c> (or <c>--lan=192.168.1.20</c>, which also sets <see cref="Address"/>).</summary>
    public bool Enabled { get; set; }

    /// <summary>The address to listen on and to put into the certificate and the QR code. Empty: the first IPv4 address of a network interface that is up, other than loopback.</summary>
    public string? Address { get; set; }

    /// <summary>The HTTPS port.</summary>
    public int Port { get; set; } = 5443;

    /// <summary>Where the certificate and its key are kept and reused while valid (beside the SQLite file by default).</summary>
    public string CertificateFolder { get; set; } = "data/phone-trial";
}
