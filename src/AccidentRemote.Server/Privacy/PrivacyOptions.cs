using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Privacy;

/// <summary>
/// How long each kind of personal data is kept, and how often the purge runs. Section <c>Privacy</c>.
/// Retention counts from the end of the case (closed, escalated or abandoned), or for staff
/// sessions from their expiry. The privacy notice the driver page shows reads these values.
/// </summary>
public sealed class PrivacyOptions
{
    public const string Section = "Privacy";

    public RetentionOptions Retention { get; set; } = new();

    /// <summary>How often the purge job looks for data past its retention. Zero switches the job off (then run the <c>purge</c> command).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00", ErrorMessage = "Privacy:PurgeInterval must be between 0 (off) and 7 days, e.g. 01:00:00.")]
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Cases handled per purge round (each in its own transaction).</summary>
    [Range(1, 10_000, ErrorMessage = "Privacy:PurgeBatchSize must be between 1 and 10000.")]
    public int PurgeBatchSize { get; set; } = 200;
}

/// <summary>Checks both levels (data annotations do not look into nested objects), each message naming its setting.</summary>
internal sealed class PrivacyOptionsValidation : IValidateOptions<PrivacyOptions>
{
    public ValidateOptionsResult Validate(string? name, PrivacyOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        Validator.TryValidateObject(options.Retention, new ValidationContext(options.Retention), results, validateAllProperties: true);
        return results.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(results.Select(r => r.ErrorMessage ?? "Privacy settings are invalid."));
    }
}
