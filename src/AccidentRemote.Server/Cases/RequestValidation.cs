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
            Add("phone", "Report.Phone.Missing");
        }
        else
        {
            normalizedPhone = CaseRules.NormalizePhone(phone);
            if (!CaseRules.IsValidPhone(normalizedPhone))
            {
                Add("phone", "Report.Phone.Invalid");
            }
        }

        string? normalizedPlate = null;
        if (string.IsNullOrWhiteSpace(plate))
        {
            Add("plate", "Report.Plate.Missing");
        }
        else
        {
            normalizedPlate = CaseRules.NormalizePlate(plate);
            if (normalizedPlate.Length > 10 || !CaseRules.IsValidPlate(normalizedPlate))
            {
                Add("plate", "Report.Plate.Invalid");
            }
        }

        var type = vehicleType?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(type) || !CaseRules.VehicleTypes.Contains(type))
        {
            Add("vehicleType", "Report.VehicleType");
        }

        var insurer = string.IsNullOrWhiteSpace(insurerCode) ? null : insurerCode.Trim().ToLowerInvariant();
        if (insurer is not null && !insurers.IsKnown(insurer))
        {
            Add("insurerCode", "Report.Insurer.Unknown");
        }

        var policy = string.IsNullOrWhiteSpace(policyNumber) ? null : policyNumber.Trim();
        if (policy is not null && !CaseRules.IsValidPolicyNumber(policy))
        {
            Add("policyNumber", "Report.Policy.Invalid");
        }

        if (policy is not null && insurer is null)
        {
            Add("insurerCode", "Report.Policy.NoInsurer");
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
            Add("otherPlate", "Report.OtherPlate.Invalid");
            return null;
        }

        if (ownPlate is not null && normalized == CaseRules.NormalizePlate(ownPlate))
        {
            Add("otherPlate", "Report.OtherPlate.Same");
            return null;
        }

        return normalized;
    }

    public void Location(double? latitude, double? longitude, string? address)
    {
        var hasCoordinates = latitude is not null || longitude is not null;
        if (hasCoordinates && (latitude is null || longitude is null))
        {
            Add("latitude", "Report.Location.Both");
        }

        if (latitude is < -90 or > 90 || latitude is double.NaN)
        {
            Add("latitude", "Report.Location.Latitude");
        }

        if (longitude is < -180 or > 180 || longitude is double.NaN)
        {
            Add("longitude", "Report.Location.Longitude");
        }

        if (!hasCoordinates && string.IsNullOrWhiteSpace(address))
        {
            Add("address", "Report.Address.Missing");
        }

        if (address is { Length: > 200 })
        {
            Add("address", "Report.Address.TooLong");
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
            Add(field, "Text.Unsafe");
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
            Add("deviceLatitude", "Report.Device");
            return (null, null);
        }

        return (latitude, longitude);
    }

    public void AccidentTime(DateTimeOffset? time)
    {
        var now = clock.GetUtcNow();
        if (time is null)
        {
            Add("accidentTime", "Report.Time.Missing");
        }
        else if (time > now + ClockSkew)
        {
            Add("accidentTime", "Report.Time.Future");
        }
        else if (time < now - MaxReportDelay)
        {
            Add("accidentTime", "Report.Time.TooOld");
        }
    }

    public void Parties(int? numberOfParties)
    {
        if (numberOfParties is null or < 1 or > CaseRules.MaxParties)
        {
            Add("numberOfParties", "Report.Parties", CaseRules.MaxParties);
        }
    }

    public void Triage(TriageInput? triage)
    {
        if (triage?.AnyoneInjured is null)
        {
            Add("triage.anyoneInjured", "Report.Triage.Injured");
        }

        if (triage?.VehiclesDrivable is null)
        {
            Add("triage.vehiclesDrivable", "Report.Triage.Drivable");
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
                Add("joinSecret", "Join.Secret.Damaged");
                return (null, null);
            }

            return (null, s);
        }

        var typed = new string((code ?? "").Where(c => c is not (' ' or '-')).ToArray());
        if (typed.Length != 8 || !typed.All(char.IsAsciiDigit))
        {
            Add("joinCode", "Join.Code.Format");
            return (null, null);
        }

        return (typed, null);
    }

    /// <summary>Adds the message <paramref name="key"/> of Resources/ServerMessages, in the request's language.</summary>
    private void Add(string field, string key, params object?[] args)
    {
        var message = ServerText.Get(key, args);
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }

        list.Add(message);
    }

}
