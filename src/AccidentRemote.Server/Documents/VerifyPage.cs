using System.Globalization;
using System.Net;
using System.Text;
using AccidentRemote.Server.Cases;

namespace AccidentRemote.Server.Documents;

/// <summary>
/// The public verification page, zh-CN with English. Every value put into the HTML goes through
/// <see cref="H"/>; the page has no script and a Content-Security-Policy that allows none.
/// </summary>
internal static class VerifyPage
{
    private static readonly Dictionary<string, string> CaseStatusWords = new()
    {
        [CaseStatus.Reported] = "已报案 Reported",
        [CaseStatus.Queued] = "排队中 Waiting",
        [CaseStatus.InCall] = "处理中 Being handled",
        [CaseStatus.VehiclesMoved] = "车辆已撤离 Vehicles moved",
        [CaseStatus.LiabilityDetermined] = "已认定责任 Liability determined",
        [CaseStatus.AwaitingSignatures] = "待签字 Awaiting signatures",
        [CaseStatus.Closed] = "已结案 Closed",
        [CaseStatus.Escalated] = "已转现场处理 Escalated to officers on scene",
        [CaseStatus.Abandoned] = "已终止 Abandoned",
    };

    public static IResult Html(HttpContext http, int status, string body)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        return TypedResults.Content(Layout(body), "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    public static string NotFound(string code) => $"""
        <div class="verdict bad"><strong>未找到该验证码</strong><br>No document has the verification code <code>{H(code)}</code>.</div>
        <p>请核对认定书二维码下方的 {VerificationCodes.Length} 位验证码。此处查不到的认定书不是本系统出具的。<br>
        <span class="en">Check the {VerificationCodes.Length}-character code printed under the QR code on the document.
        A document whose code is not found here was not issued by this service.</span></p>
        """;

    public static string Facts(VerificationView v, string authority, string? uploadError = null)
    {
        var s = new StringBuilder();
        s.Append(v.StoredCopyIntact
            ? $"""<div class="verdict good"><strong>✔ 真实的道路交通事故认定书</strong><br>This verification code belongs to a genuine document issued by {H(authority)}.</div>"""
            : """<div class="verdict bad"><strong>✘ 存档副本已被篡改（ALTERED）</strong><br>The stored copy of this document no longer matches the SHA-256 recorded when it was issued: it was altered. Do not rely on it; contact the traffic police.</div>""");
        if (v.Superseded)
        {
            s.Append(CultureInfo.InvariantCulture, $"""<div class="verdict warn">此认定书已有更新版本（第 {v.LatestVersion} 版）。<br>A newer version ({v.LatestVersion}) of this document has been issued; this one is version {v.Version}.</div>""");
        }

        if (v.Upload is { } u)
        {
            s.Append(u.Unaltered
                ? $"""<div class="verdict good" id="upload-result"><strong>✔ 文件真实且未被篡改</strong><br>The file you uploaded is genuine and unaltered: its SHA-256 is the one recorded at issue.<br><code>{H(u.Sha256)}</code></div>"""
                : $"""<div class="verdict bad" id="upload-result"><strong>✘ 文件已被篡改（ALTERED）</strong><br>The file you uploaded is ALTERED: it is not the document issued under this code. Its SHA-256 is<br><code>{H(u.Sha256)}</code></div>""");
        }

        if (uploadError is not null)
        {
            s.Append($"""<div class="verdict warn" id="upload-result">无法核对该文件。<br>{H(uploadError)}</div>""");
        }

        var issuedBeijing = v.IssuedAt.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        var issuedUtc = v.IssuedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var caseStatus = CaseStatusWords.TryGetValue(v.CaseStatus, out var words) ? words : v.CaseStatus;
        s.Append(CultureInfo.InvariantCulture, $"""
            <table>
              <tr><th>文书编号<span>Document number</span></th><td id="number">{H(v.DocumentNumber)}</td></tr>
              <tr><th>版本<span>Version</span></th><td>{v.Version}</td></tr>
              <tr><th>出具时间<span>Issued</span></th><td id="issued">{H(issuedBeijing)}（北京时间 UTC+8）<br><span class="en">{H(issuedUtc)}</span></td></tr>
              <tr><th>SHA-256</th><td><code id="sha256">{H(v.Sha256)}</code></td></tr>
              <tr><th>案件状态<span>Case status</span></th><td id="case-status">{H(caseStatus)}</td></tr>
              <tr><th>验证码<span>Verification code</span></th><td><code>{H(v.VerificationCode)}</code></td></tr>
            </table>
            <h2>核对您手中的 PDF <span class="en">Check your PDF</span></h2>
            <p>选择认定书 PDF 文件，系统计算其 SHA-256 并与出具时记录的值比对；文件不会被保存。<br>
            <span class="en">Choose the document's PDF: its SHA-256 is compared with the one recorded at issue. The file is not stored.</span></p>
            <form method="post" enctype="multipart/form-data" action="/verify/{H(v.VerificationCode)}">
              <label for="file">认定书 PDF 文件 <span class="en">The document's PDF file</span></label><br>
              <input type="file" id="file" name="file" accept="application/pdf" required>
              <button type="submit">核对 Check</button>
            </form>
            """);
        return s.ToString();
    }

    /// <summary>HTML-escapes text (&lt; &gt; &amp; quotes); Chinese characters are kept as they are.</summary>
    public static string H(string? text) => WebUtility.HtmlEncode(text ?? "");

    private static string Layout(string body) => $$"""
        <!DOCTYPE html>
        <html lang="zh-CN">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="robots" content="noindex">
        <title>道路交通事故认定书验证 Accident document verification</title>
        <style>
          body { font-family: system-ui, "Noto Sans CJK SC", "Droid Sans Fallback", sans-serif; max-width: 44rem; margin: 1.5rem auto; padding: 0 1rem; color: #222; line-height: 1.5; }
          h1 { font-size: 1.4rem; margin-bottom: 0; } h1 + p { margin-top: .2rem; color: #555; }
          h2 { font-size: 1.1rem; margin-top: 2rem; }
          .en, th span { color: #555; font-size: .85em; }
          th span { display: block; font-weight: normal; }
          .verdict { padding: .8rem 1rem; border-radius: .4rem; margin: 1rem 0; border: 1px solid; }
          .good { background: #e8f5e9; border-color: #2e7d32; } .bad { background: #fdecea; border-color: #c62828; } .warn { background: #fff8e1; border-color: #f9a825; }
          table { border-collapse: collapse; width: 100%; } th, td { border: 1px solid #ccc; padding: .45rem .6rem; text-align: left; vertical-align: top; }
          th { background: #f4f4f4; width: 9rem; } code { word-break: break-all; }
          button { font-size: 1rem; padding: .4rem 1.2rem; margin-top: .5rem; }
        </style>
        </head>
        <body>
        <main>
        <h1>道路交通事故认定书验证</h1>
        <p>Road traffic accident document verification</p>
        {{body}}
        </main>
        </body>
        </html>
        """;
}
