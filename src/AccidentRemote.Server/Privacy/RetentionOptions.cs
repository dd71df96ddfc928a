using System.ComponentModel.DataAnnotations;

namespace AccidentRemote.Server.Privacy;

/// <summary>Retention per kind of data. Section <c>Privacy:Retention</c>.</summary>
public sealed class RetentionOptions
{
    /// <summary>Photos, screenshots and uploaded documents: the files go, the rows with their SHA-256 stay.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00", ErrorMessage = "Privacy:Retention:EvidenceFiles must be between 1 day and 3650 days (10 years), e.g. 180.00:00:00.")]
    public TimeSpan EvidenceFiles { get; set; } = TimeSpan.FromDays(180);

    /// <summary>Name, ID number, phone, policy number and phone position of each party, and the signature images.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00", ErrorMessage = "Privacy:Retention:PersonalData must be between 1 day and 3650 days (10 years), e.g. 365.00:00:00.")]
    public TimeSpan PersonalData { get; set; } = TimeSpan.FromDays(365);

    /// <summary>Expired staff sign-ins (who signed in when): removed this long after they expired.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00", ErrorMessage = "Privacy:Retention:StaffSessions must be between 0 and 365 days, e.g. 30.00:00:00.")]
    public TimeSpan StaffSessions { get; set; } = TimeSpan.FromDays(30);
}
