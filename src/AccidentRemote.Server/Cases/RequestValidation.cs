using AccidentRemote.Server.Insurers;

namespace AccidentRemote.Server.Cases;

/// <summary>
/// Checks a report or join field by field. Every message names the field, says what was
/// wrong and shows a value that would be accepted.
/// </summary>
public sealed class RequestValidation(InsurerOptions insurers, TimeProvider clock)
{
    /// <summary>How far in the future an accident time may be (phone clocks drift).</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <summary>Older accidents are handled at a police station, not remotely.</summary>
    public static readonly TimeSpan MaxReportDelay = TimeSpan.FromHours(24);

    private readonly Dictionary<string, List<string>> errors = [];

    public bool HasErrors => errors.Count > 0;

    public Dictionary<string, string[]> Errors => errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

    public VehicleData? Vehicle(string? phone, string? plate, string? vehicleType, string? insurerCode, string? policyNumber)
    {
        string? normalizedPhone = null;
        if (string.IsNullOrWhiteSpace(phone))
        {
            Add("phone", "A mobile phone number is required, e.g. 13812345678, so the officer can call back.");
        }
        else
        {
            normalizedPhone = CaseRules.NormalizePhone(phone);
            if (!CaseRules.IsValidPhone(normalizedPhone))
            {
                Add("phone", "This is not a mainland mobile number: it must have 11 digits and start with 13-19, e.g. 13812345678 (a +86 prefix is fine).");
            }
        }

        string? normalizedPlate = null;
        if (string.IsNullOrWhiteSpace(plate))
        {
            Add("plate", "The licence plate is required, e.g. 京A12345 (or 京AD12345 for a new-energy car).");
        }
        else
        {
            normalizedPlate = CaseRules.NormalizePlate(plate);
            if (normalizedPlate.Length > 10 || !CaseRules.IsValidPlate(normalizedPlate))
            {
                Add("plate", "This is not a Chinese plate. Expected a province character, a letter and 5 letters/digits (京A12345), or 6 for new-energy cars (京AD12345, 京A12345D). The letters I and O are not used.");
            }
        }

        var type = vehicleType?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(type) || !CaseRules.VehicleTypes.Contains(type))
        {
            Add("vehicleType", $"Choose the vehicle type, one of: {string.Join(", ", CaseRules.VehicleTypes)}.");
        }

        var insurer = string.IsNullOrWhiteSpace(insurerCode) ? null : insurerCode.Trim().ToLowerInvariant();
        if (insurer is not null && !insurers.IsKnown(insurer))
        {
            Add("insurerCode", $"Unknown insurer '{Shorten(insurerCode!)}'. Use a code from GET /api/insurers ({string.Join(", ", insurers.Catalogue.Select(c => c.Code))}), or leave it empty if you do not know.");
        }

        var policy = string.IsNullOrWhiteSpace(policyNumber) ? null : policyNumber.Trim();
        if (policy is not null && !CaseRules.IsValidPolicyNumber(policy))
        {
            Add("policyNumber", "A policy number has 5 to 40 letters, digits or '-'. Leave it empty if you do not have it at hand.");
        }

        if (policy is not null && insurer is null)
        {
            Add("insurerCode", "A policy number was given without its insurer: choose the insurer too.");
        }

        return HasErrors ? null : new VehicleData(normalizedPhone!, normalizedPlate!, type!, insurer, policy);
    }

    /// <summary>The other vehicle's plate, optional: lets a separate report be matched into the same case.</summary>
    public string? OtherPlate(string? otherPlate, string? ownPlate)
    {
        if (string.IsNullOrWhiteSpace(otherPlate))
        {
            return null;
        }

        var normalized = CaseRules.NormalizePlate(otherPlate);
        if (normalized.Length > 10 || !CaseRules.IsValidPlate(normalized))
        {
            Add("otherPlate", "The other vehicle's plate is not a Chinese plate (e.g. 京A12345). Leave it empty if you cannot read it.");
            return null;
        }

        if (ownPlate is not null && normalized == CaseRules.NormalizePlate(ownPlate))
        {
            Add("otherPlate", "The other vehicle's plate is the same as yours.");
            return null;
        }

        return normalized;
    }

    public void Location(double? latitude, double? longitude, string? address)
    {
        var hasCoordinates = latitude is not null || longitude is not null;
        if (hasCoordinates && (latitude is null || longitude is null))
        {
            Add("latitude", "Send both latitude and longitude, or neither.");
        }

        if (latitude is < -90 or > 90 || latitude is double.NaN)
        {
            Add("latitude", "Latitude must be between -90 and 90 (WGS-84 degrees), e.g. 39.9087.");
        }

        if (longitude is < -180 or > 180 || longitude is double.NaN)
        {
            Add("longitude", "Longitude must be between -180 and 180 (WGS-84 degrees), e.g. 116.3975.");
        }

        if (!hasCoordinates && string.IsNullOrWhiteSpace(address))
        {
            Add("address", "Say where the accident happened: allow the phone's location, or type an address such as '长安街与西单北大街路口'.");
        }

        if (address is { Length: > 200 })
        {
            Add("address", "The address is longer than 200 characters; shorten it to the road and nearest crossing or landmark.");
        }

        SafeText("address", address);
    }

    /// <summary>
    /// Refuses text that would be shown to others with characters that change how it reads:
    /// control characters (line breaks only where <paramref name="multiline"/>), bidirectional
    /// overrides and isolates (U+202E turned a case time around on the console) and other
    /// invisible format characters.
    /// </summary>
    public void SafeText(string field, string? value, bool multiline = false)
    {
        if (UnsafeCharacter(value, multiline) is { } bad)
        {
            Add(field, $"The text contains an invisible or control character (U+{(int)bad:X4}), which is not allowed here. Type it again without copying from elsewhere.");
        }
    }

    /// <summary>The first character that may not be in user text shown to others, or null.</summary>
    public static char? UnsafeCharacter(string? value, bool multiline = false)
    {
        if (value is null)
        {
            return null;
        }

        foreach (var ch in value)
        {
            var category = char.GetUnicodeCategory(ch);
            var allowedControl = multiline && ch is '\n' or '\r' or '\t';
            if ((category == System.Globalization.UnicodeCategory.Control && !allowedControl)
                || category is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.LineSeparator
                    or System.Globalization.UnicodeCategory.ParagraphSeparator or System.Globalization.UnicodeCategory.Surrogate
                    or System.Globalization.UnicodeCategory.PrivateUse or System.Globalization.UnicodeCategory.OtherNotAssigned)
            {
                return ch;
            }
        }

        return null;
    }

    /// <summary>The phone's own position when reporting (optional), to compare with the stated place.</summary>
    public (double? Lat, double? Lng) Device(double? latitude, double? longitude)
    {
        if (latitude is null && longitude is null)
        {
            return (null, null);
        }

        if (latitude is null or < -90 or > 90 or double.NaN || longitude is null or < -180 or > 180 or double.NaN)
        {
            Add("deviceLatitude", "deviceLatitude and deviceLongitude are the phone's GPS position: both, in WGS-84 degrees, or neither.");
            return (null, null);
        }

        return (latitude, longitude);
    }

    public void AccidentTime(DateTimeOffset? time)
    {
        var now = clock.GetUtcNow();
        if (time is null)
        {
            Add("accidentTime", "The time of the accident is required (ISO-8601, e.g. 2026-11-28T09:30:00+08:00).");
        }
        else if (time > now + ClockSkew)
        {
            Add("accidentTime", "The accident time is in the future. Check the phone's clock.");
        }
        else if (time < now - MaxReportDelay)
        {
            Add("accidentTime", "Accidents older than 24 hours cannot be handled remotely. Please go to a traffic police station.");
        }
    }

    public void Parties(int? numberOfParties)
    {
        if (numberOfParties is null or < 1 or > CaseRules.MaxParties)
        {
            Add("numberOfParties", $"Say how many vehicles were involved: 1 to {CaseRules.MaxParties}. With more, call 122 for an officer on scene.");
        }
    }

    public void Triage(TriageInput? triage)
    {
        if (triage?.AnyoneInjured is null)
        {
            Add("triage.anyoneInjured", "Answer whether anyone is hurt (true or false).");
        }

        if (triage?.VehiclesDrivable is null)
        {
            Add("triage.vehiclesDrivable", "Answer whether the cars can still be driven (true or false).");
        }
    }

    /// <summary>The link secret (from the QR code or link) when sent, else the typed 8-digit code, spaces and dashes dropped.</summary>
    public (string? Code, string? Secret) JoinCode(string? code, string? secret)
    {
        if (!string.IsNullOrWhiteSpace(secret))
        {
            var s = secret.Trim();
            if (s.Length != 32 || !s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                Add("joinSecret", "The join link is damaged: scan the QR code on the other driver's phone again, or type the 8-digit code.");
                return (null, null);
            }

            return (null, s);
        }

        var typed = new string((code ?? "").Where(c => c is not (' ' or '-')).ToArray());
        if (typed.Length != 8 || !typed.All(char.IsAsciiDigit))
        {
            Add("joinCode", "The join code has 8 digits; it is shown on the other driver's phone.");
            return (null, null);
        }

        return (typed, null);
    }

    private void Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }

        list.Add(message);
    }

    private static string Shorten(string s) => s.Length <= 32 ? s : s[..32] + "…";
}
