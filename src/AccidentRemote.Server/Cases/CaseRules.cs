using System.Text.RegularExpressions;

namespace AccidentRemote.Server.Cases;

/// <summary>Field rules for reports and joins: Chinese plates and phone numbers, vehicle types, coordinates.</summary>
public static partial class CaseRules
{
    // Province abbreviations used on Chinese civil plates.
    private const string Provinces = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼";

    public static readonly IReadOnlyList<string> VehicleTypes = ["small-car", "large-car", "motorcycle", "trailer", "other"];

    public const int MaxParties = 5;

    /// <summary>Upper-cases a plate and drops spaces, dots and dashes people type between its parts.</summary>
    public static string NormalizePlate(string plate) =>
        new string(plate.Where(c => !char.IsWhiteSpace(c) && c is not ('·' or '•' or '.' or '-')).ToArray()).ToUpperInvariant();

    /// <summary>
    /// Ordinary plates (京A12345, 粤B1234学), small new-energy plates (京AD12345: D or F
    /// third) and large new-energy plates (京A12345D). I and O are never used.
    /// </summary>
    public static bool IsValidPlate(string normalized) =>
        OrdinaryPlate().IsMatch(normalized) || SmallNewEnergyPlate().IsMatch(normalized) || LargeNewEnergyPlate().IsMatch(normalized);

    /// <summary>Keeps the 11 digits of a mainland mobile number, accepting a +86 or 86 prefix and separators.</summary>
    public static string NormalizePhone(string phone)
    {
        var digits = new string(phone.Where(c => !char.IsWhiteSpace(c) && c is not ('-' or '(' or ')')).ToArray());
        if (digits.StartsWith("+86", StringComparison.Ordinal))
        {
            digits = digits[3..];
        }
        else if (digits.Length == 13 && digits.StartsWith("86", StringComparison.Ordinal))
        {
            digits = digits[2..];
        }

        return digits;
    }

    public static bool IsValidPhone(string normalized) => MobilePhone().IsMatch(normalized);

    /// <summary>Shows the first 3 and last 4 digits only, for anyone who is not staff.</summary>
    public static string MaskPhone(string phone) => phone.Length == 11 ? $"{phone[..3]}****{phone[7..]}" : "****";

    /// <summary>
    /// An 18-character resident identity number (GB 11643: 17 digits and a check character
    /// computed from them). The driving licence number in mainland China is the same number.
    /// </summary>
    public static bool IsValidIdNumber(string id)
    {
        if (id.Length != 18 || !id[..17].All(char.IsAsciiDigit))
        {
            return false;
        }

        int[] weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        var sum = 0;
        for (var i = 0; i < 17; i++)
        {
            sum += (id[i] - '0') * weights[i];
        }

        return "10X98765432"[sum % 11] == char.ToUpperInvariant(id[17]);
    }

    /// <summary>First 4 and last 4 characters only.</summary>
    public static string MaskIdNumber(string id) => id.Length > 8 ? $"{id[..4]}{new string('*', id.Length - 8)}{id[^4..]}" : "****";

    public static bool IsValidPolicyNumber(string policy) => PolicyNumber().IsMatch(policy);

    [GeneratedRegex("^[" + Provinces + "][A-HJ-NP-Z][A-HJ-NP-Z0-9]{4}[A-HJ-NP-Z0-9挂学警港澳]$")]
    private static partial Regex OrdinaryPlate();

    [GeneratedRegex("^[" + Provinces + "][A-HJ-NP-Z][DF][A-HJ-NP-Z0-9][0-9]{4}$")]
    private static partial Regex SmallNewEnergyPlate();

    [GeneratedRegex("^[" + Provinces + "][A-HJ-NP-Z][0-9]{5}[DF]$")]
    private static partial Regex LargeNewEnergyPlate();

    [GeneratedRegex("^1[3-9][0-9]{9}$")]
    private static partial Regex MobilePhone();

    [GeneratedRegex("^[A-Za-z0-9-]{5,40}$")]
    private static partial Regex PolicyNumber();
}
