using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Telemetry;

/// <summary>Checks <see cref="TelemetryOptions"/> at start; each failure names the setting and what to do.</summary>
internal sealed class TelemetryValidation : IValidateOptions<TelemetryOptions>
{
    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var o = options.Otlp;
        var failures = new List<string>();
        if (o.Enabled && !TryEndpoint(o.Endpoint, out _))
        {
            failures.Add($"Telemetry:Otlp:Endpoint '{o.Endpoint}' is not an absolute http:// or https:// address. Give the collector's base address, "
                + "e.g. http://127.0.0.1:4317 for gRPC or http://127.0.0.1:4318 for HttpProtobuf, or leave it empty to export nothing.");
        }

        if (!Enum.IsDefined(o.Protocol))
        {
            failures.Add("Telemetry:Otlp:Protocol must be 'Grpc' or 'HttpProtobuf'.");
        }

        if (HeaderProblem(o.Headers) is { } problem)
        {
            failures.Add($"Telemetry:Otlp:Headers {problem} Write them as name=value pairs separated by commas, e.g. api-key=SECRET,tenant=centre.");
        }

        if (o.MetricsInterval < TimeSpan.FromSeconds(1) || o.MetricsInterval > TimeSpan.FromHours(1))
        {
            failures.Add("Telemetry:Otlp:MetricsInterval must be between 00:00:01 and 01:00:00.");
        }

        if (o.Timeout < TimeSpan.FromMilliseconds(100) || o.Timeout > TimeSpan.FromMinutes(5))
        {
            failures.Add("Telemetry:Otlp:Timeout must be between 00:00:00.1 and 00:05:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static bool TryEndpoint(string? value, out Uri endpoint)
    {
        endpoint = null!;
        if (!Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            return false;
        }

        endpoint = uri;
        return true;
    }

    /// <summary>Null when the header list is empty or well formed; else what is wrong (never the values: they may be secrets).</summary>
    internal static string? HeaderProblem(string? headers)
    {
        if (string.IsNullOrWhiteSpace(headers))
        {
            return null;
        }

        var index = 0;
        foreach (var pair in headers.Split(','))
        {
            index++;
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || string.IsNullOrWhiteSpace(pair[..eq]))
            {
                return $"entry {index} has no name=value form.";
            }

            if (pair[..eq].Trim().Any(ch => ch <= ' ' || ch >= 127 || "()<>@,;:\\\"/[]?={}".Contains(ch, StringComparison.Ordinal)))
            {
                return $"entry {index} has a name that is not a valid HTTP header name.";
            }
        }

        return null;
    }
}
