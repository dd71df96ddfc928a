using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using AccidentRemote.Server.Documents;

namespace AccidentRemote.Tests.Documents;

/// <summary>A two-party accident as an officer would record it, and signatures drawn like a finger on a canvas.</summary>
public static class SampleDocument
{
    public const string Plate1 = "京A12345";
    public const string Plate2 = "沪AD12345";

    /// <summary>Everything personal in the sample: none of it may appear on the public verification page.</summary>
    public static readonly string[] PersonalData =
        ["张伟", "李娜", Plate1, Plate2, "A12345", "AD12345", "110101199003071234", "310104198805120021", "13812345678", "13912345678", "139 1234 5678"];

    public static AccidentDocumentModel Model() => new()
    {
        AccidentTime = new DateTimeOffset(2026, 11, 28, 9, 30, 0, TimeSpan.FromHours(8)),
        Weather = "晴",
        Place = new DocumentPlace("北京市西城区长安街与西单北大街路口东侧", 39.9087, 116.3975),
        Parties =
        [
            new DocumentParty
            {
                PartyNumber = 1, Name = "张伟", LicenceOrIdNumber = "110101199003071234", Phone = "13812345678",
                VehicleType = "small-car", Plate = Plate1, InsurerName = "中国人民财产保险", PolicyNumber = "PDAA202611000001",
                Liability = "full", SignaturePng = Signature(1), SignedAt = new DateTimeOffset(2026, 11, 28, 9, 44, 0, TimeSpan.FromHours(8)),
            },
            new DocumentParty
            {
                PartyNumber = 2, Name = "李娜", LicenceOrIdNumber = "310104198805120021", Phone = "+86 139 1234 5678",
                VehicleType = "small-car", Plate = Plate2, InsurerName = "中国平安财产保险", PolicyNumber = "PA-2026-0088776",
                Liability = "none", SignaturePng = Signature(2), SignedAt = new DateTimeOffset(2026, 11, 28, 9, 45, 0, TimeSpan.FromHours(8)),
            },
        ],
        Facts = "2026年11月28日9时30分许，当事人甲驾驶京A12345号小型汽车沿长安街由西向东行驶至西单北大街路口东侧时，" +
            "未与前车保持足以采取紧急制动措施的安全距离，车辆前部与前方等候信号灯的当事人乙驾驶的沪AD12345号小型汽车尾部相撞，" +
            "造成两车不同程度损坏，无人员受伤。当事人甲的行为违反了《中华人民共和国道路交通安全法》第四十三条的规定。",
        MediationResult = "经调解，双方当事人自愿达成协议：当事人甲的车辆损失自行承担；当事人乙的车辆损失由当事人甲的保险公司在交强险及商业险范围内赔付。",
        Officer = new DocumentOfficer("王建国", "012345"),
    };

    /// <summary>The model as IssueAsync would complete it, for rendering without a database.</summary>
    public static AccidentDocumentModel Issued(string code = "K7Q2MX9PRT") => Model() with
    {
        Number = "京公交简认字〔2026〕第004711号",
        VerificationCode = code,
        IssuedAt = new DateTimeOffset(2026, 11, 28, 9, 52, 0, TimeSpan.FromHours(8)),
    };

    /// <summary>A transparent 360x120 RGBA PNG with a hand-drawn-looking stroke; each seed draws a different one.</summary>
    public static byte[] Signature(int seed)
    {
        const int w = 360, h = 120;
        var rgba = new byte[w * h * 4];
        for (var t = 0.0; t < 1.0; t += 0.0004)
        {
            var x = 20 + (t * 320);
            var y = 60 + (28 * Math.Sin((t * (9 + seed)) + seed)) + (14 * Math.Sin(t * 31 * seed));
            for (var dx = -2; dx <= 2; dx++)
            {
                for (var dy = -2; dy <= 2; dy++)
                {
                    var px = (int)x + dx;
                    var py = (int)y + dy;
                    if (px is >= 0 and < w && py is >= 0 and < h)
                    {
                        var i = ((py * w) + px) * 4;
                        rgba[i] = 10;
                        rgba[i + 1] = 20;
                        rgba[i + 2] = 90;
                        rgba[i + 3] = 255;
                    }
                }
            }
        }

        return Png(w, h, rgba);
    }

    /// <summary>An 8-bit RGBA PNG, the kind a browser canvas gives.</summary>
    private static byte[] Png(int width, int height, byte[] rgba)
    {
        using var raw = new MemoryStream();
        for (var y = 0; y < height; y++)
        {
            raw.WriteByte(0); // filter: none
            raw.Write(rgba, y * width * 4, width * 4);
        }

        return Evidence.TestFiles.PngFromRows(width, height, colourType: 6, raw.ToArray());
    }
}
