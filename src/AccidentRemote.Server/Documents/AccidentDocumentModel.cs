namespace AccidentRemote.Server.Documents;

/// <summary>
/// What goes into a 道路交通事故认定书（简易程序）. <see cref="Number"/>, <see cref="VerificationCode"/>
/// and <see cref="IssuedAt"/> are filled in by <see cref="DocumentStore.IssueAsync(System.Data.Common.DbConnection, System.Data.Common.DbTransaction, Guid, AccidentDocumentModel, string, CancellationToken)"/>; everything
/// else comes from the case. Times are instants; the document prints them in Beijing time.
/// </summary>
public sealed record AccidentDocumentModel
{
    /// <summary>The document number (编号), unique.</summary>
    public string Number { get; init; } = "";

    /// <summary>The public verification code, 10 characters of <see cref="VerificationCodes.Alphabet"/>.</summary>
    public string VerificationCode { get; init; } = "";

    public DateTimeOffset IssuedAt { get; init; }

    public required DateTimeOffset AccidentTime { get; init; }

    /// <summary>Weather as printed, e.g. 晴, 阴, 雨, 雪, 雾.</summary>
    public required string Weather { get; init; }

    public required DocumentPlace Place { get; init; }

    public required IReadOnlyList<DocumentParty> Parties { get; init; }

    /// <summary>交通事故事实: what happened, as the officer established it.</summary>
    public required string Facts { get; init; }

    /// <summary>损害赔偿调解结果; null when the parties did not ask for mediation.</summary>
    public string? MediationResult { get; init; }

    public required DocumentOfficer Officer { get; init; }
}

/// <summary>Where the accident happened: the address as people say it, and WGS-84 coordinates where known.</summary>
public sealed record DocumentPlace(string Address, double? Latitude = null, double? Longitude = null);

/// <summary>The officer who handled the case: name and badge number (警号).</summary>
public sealed record DocumentOfficer(string Name, string BadgeNumber);

/// <summary>One party (当事人) with vehicle, insurance, liability and signature.</summary>
public sealed record DocumentParty
{
    public required int PartyNumber { get; init; }

    public required string Name { get; init; }

    /// <summary>Driving licence number or ID card number.</summary>
    public required string LicenceOrIdNumber { get; init; }

    public required string Phone { get; init; }

    /// <summary>A vehicle type code (<c>small-car</c>, …) or the type as printed.</summary>
    public required string VehicleType { get; init; }

    public required string Plate { get; init; }

    public string? InsurerName { get; init; }

    public string? PolicyNumber { get; init; }

    /// <summary>One of <c>full, main, equal, minor, none, undetermined</c>.</summary>
    public required string Liability { get; init; }

    /// <summary>The party's signature as PNG bytes (drawn on a canvas on the phone), or null if not signed.</summary>
    public byte[]? SignaturePng { get; init; }

    public DateTimeOffset? SignedAt { get; init; }
}

/// <summary>The printed words for liability codes and vehicle types.</summary>
public static class DocumentWords
{
    public static readonly IReadOnlyDictionary<string, (string Zh, string En)> Liability = new Dictionary<string, (string, string)>
    {
        ["full"] = ("全部", "full"),
        ["main"] = ("主要", "main"),
        ["equal"] = ("同等", "equal"),
        ["minor"] = ("次要", "minor"),
        ["none"] = ("无", "none"),
        ["undetermined"] = ("无法认定", "undetermined"),
    };

    public static readonly IReadOnlyDictionary<string, (string Zh, string En)> VehicleTypes = new Dictionary<string, (string, string)>
    {
        ["small-car"] = ("小型汽车", "small car"),
        ["large-car"] = ("大型汽车", "large car"),
        ["motorcycle"] = ("摩托车", "motorcycle"),
        ["trailer"] = ("挂车", "trailer"),
        ["other"] = ("其他", "other"),
    };

    /// <summary>The clause in the liability sentence: 负全部责任, 无责任, 责任无法认定…</summary>
    public static string LiabilityClause(string code) => code switch
    {
        "none" => "无责任",
        "undetermined" => "责任无法认定",
        _ => $"负{Liability[code].Zh}责任",
    };

    /// <summary>甲, 乙, 丙… for party 1, 2, 3…, as Chinese documents name parties.</summary>
    public static string PartyName(int number) => number is >= 1 and <= 10 ? "甲乙丙丁戊己庚辛壬癸"[number - 1].ToString() : number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The vehicle type in Chinese only (交通方式 on the document), or the code as given.</summary>
    public static string VehicleTypeZh(string code) =>
        VehicleTypes.TryGetValue(code, out var t) ? t.Zh : code;

    public static string VehicleType(string code) =>
        VehicleTypes.TryGetValue(code, out var t) ? $"{t.Zh} {t.En}" : code;
}
