using System.Text.RegularExpressions;
using AccidentRemote.Contracts.Claims;
using Microsoft.Extensions.Options;

namespace AccidentRemote.InsurerAdapter;

/// <summary>
/// Settings of the insurer adapter, section <c>Adapter</c> (environment: <c>Adapter__InsurerCode</c>, …).
/// Validated at start: a wrong setting stops the adapter with a message saying what to fix.
/// </summary>
public sealed class AdapterOptions
{
    public const string Section = "Adapter";

    /// <summary>The insurer's code at AccidentRemote, e.g. <c>picc</c>: names its queue and is the routing key of its acks.</summary>
    public string InsurerCode { get; set; } = "";

    public AdapterBrokerOptions Broker { get; set; } = new();

    /// <summary>How many unacknowledged claims the broker may push ahead (AMQP basic.qos prefetch).</summary>
    public ushort Prefetch { get; set; } = 10;

    /// <summary>HTTP mode: the insurer's claims endpoint; each claim is POSTed there. Set this or <see cref="Folder"/>.</summary>
    public string? HttpEndpoint { get; set; }

    /// <summary>Folder mode: each claim is written to <c>&lt;Folder&gt;/&lt;claimId&gt;.json</c>. Set this or <see cref="HttpEndpoint"/>.</summary>
    public string? Folder { get; set; }

    /// <summary>How long one HTTP hand-over may take.</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Hand-over tries per delivery before the claim is given back to the queue.</summary>
    public int MaxAttempts { get; set; } = 4;

    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>SQLite file remembering which claims were handed over (and their report numbers). Keep it on durable storage.</summary>
    public string StateFile { get; set; } = "insurer-adapter.db";

    /// <summary>How long a fully acknowledged claim is remembered; the server never resends a claim that long after.</summary>
    public TimeSpan StateRetention { get; set; } = TimeSpan.FromDays(90);
}

/// <summary>Connection to AccidentRemote's RabbitMQ, with the broker user AccidentRemote gave the insurer.</summary>
public sealed class AdapterBrokerOptions
{
    public string Host { get; set; } = "";

    public int Port { get; set; } = 5672;

    public string VirtualHost { get; set; } = "/";

    /// <summary>Must be <c>insurer-&lt;code&gt;</c> (the default): it is the <c>user_id</c> of every ack, which the broker checks.</summary>
    public string UserName { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>How often a lost connection is retried.</summary>
    public TimeSpan NetworkRecoveryInterval { get; set; } = TimeSpan.FromSeconds(5);
}

internal sealed partial class AdapterOptionsValidator : IValidateOptions<AdapterOptions>
{
    // The server's rule for insurer codes (InsurerCodes.Pattern).
    [GeneratedRegex("^[a-z][a-z0-9-]{1,31}$")]
    private static partial Regex Code();

    public ValidateOptionsResult Validate(string? name, AdapterOptions o)
    {
        var errors = new List<string>();
        if (!Code().IsMatch(o.InsurerCode))
        {
            errors.Add($"Adapter:InsurerCode '{o.InsurerCode}' must be the code AccidentRemote gave you: 2-32 lower-case letters, digits or '-'.");
        }

        var b = o.Broker;
        if (string.IsNullOrWhiteSpace(b.Host))
        {
            errors.Add("Adapter:Broker:Host is required (AccidentRemote's RabbitMQ host name).");
        }

        if (b.Port is < 1 or > 65535)
        {
            errors.Add("Adapter:Broker:Port must be a TCP port (1-65535).");
        }

        if (string.IsNullOrEmpty(b.VirtualHost))
        {
            errors.Add("Adapter:Broker:VirtualHost is required.");
        }

        if (b.UserName != ClaimsWire.BrokerUserFor(o.InsurerCode))
        {
            errors.Add($"Adapter:Broker:UserName must be '{ClaimsWire.BrokerUserFor(o.InsurerCode)}' (or unset): acks carry it as user_id and the broker refuses any other.");
        }

        if (string.IsNullOrEmpty(b.Password))
        {
            errors.Add("Adapter:Broker:Password is required (set it in the environment: Adapter__Broker__Password).");
        }

        if (b.NetworkRecoveryInterval <= TimeSpan.Zero)
        {
            errors.Add("Adapter:Broker:NetworkRecoveryInterval must be positive.");
        }

        var http = !string.IsNullOrWhiteSpace(o.HttpEndpoint);
        var folder = !string.IsNullOrWhiteSpace(o.Folder);
        if (http == folder)
        {
            errors.Add("Set exactly one of Adapter:HttpEndpoint (POST each claim to the insurer's system) and Adapter:Folder (write each claim as a JSON file).");
        }

        if (http && !(Uri.TryCreate(o.HttpEndpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            errors.Add($"Adapter:HttpEndpoint '{o.HttpEndpoint}' must be an absolute http or https URL.");
        }

        if (folder && !Directory.Exists(o.Folder))
        {
            errors.Add($"Adapter:Folder '{o.Folder}' does not exist: create it (on the disk the insurer's system reads) first.");
        }

        if (o.Prefetch is < 1 or > 1000)
        {
            errors.Add("Adapter:Prefetch must be 1-1000.");
        }

        if (o.MaxAttempts is < 1 or > 20)
        {
            errors.Add("Adapter:MaxAttempts must be 1-20.");
        }

        if (o.FirstRetryDelay <= TimeSpan.Zero || o.MaxRetryDelay < o.FirstRetryDelay)
        {
            errors.Add("Adapter:FirstRetryDelay must be positive and not above Adapter:MaxRetryDelay.");
        }

        if (o.HttpTimeout <= TimeSpan.Zero)
        {
            errors.Add("Adapter:HttpTimeout must be positive.");
        }

        var stateDir = string.IsNullOrWhiteSpace(o.StateFile) ? null : Path.GetDirectoryName(Path.GetFullPath(o.StateFile));
        if (stateDir is null || !Directory.Exists(stateDir))
        {
            errors.Add($"Adapter:StateFile '{o.StateFile}' must be a file in an existing folder.");
        }

        if (o.StateRetention < TimeSpan.FromDays(1))
        {
            errors.Add("Adapter:StateRetention must be at least one day.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
