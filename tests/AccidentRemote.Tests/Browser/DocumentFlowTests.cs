using AccidentRemote.Tests.Documents;
using AccidentRemote.Tests.Infrastructure;
using Microsoft.Playwright;
using static AccidentRemote.Tests.Browser.CallScenario;

namespace AccidentRemote.Tests.Browser;

/// <summary>Issue 4 in Chromium: from the report on two phones to both signatures, and the signed PDF verified as the public would.</summary>
[Collection(BrowserCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Browser)]
public sealed class DocumentFlowTests(Chromium chromium) : IClassFixture<Chromium>
{
    [Fact]
    public async Task Two_drivers_report_give_details_and_sign_on_their_phones_and_the_signed_PDF_verifies()
    {
        await using var s = Start(chromium);
        var console = await s.ConsoleAsync();
        var driver1 = await s.PhoneAsync();
        var first = await ReportAsync(driver1, "京A12345", parties: 2, insurer: "picc");
        var link = driver1.GetByTestId("share-link");
        await link.WaitForAsync();
        var (driver2, _) = await s.JoinFromLinkAsync(new Uri(s.BaseUrl, await link.GetAttributeAsync("href")).ToString(), "沪AD12345", "pingan");
        var caseId = first.CaseId;
        IPage[] drivers = [driver1, driver2];

        await AcceptAsync(console, caseId);
        await console.GetByTestId("tile-2").WaitForAsync();
        foreach (var driver in drivers)
        {
            await WaitForBodyAsync(driver, "callState", "connected");
        }

        // The officer: vehicles moved, then liability (party 1 full, party 2 none).
        await console.GetByTestId("vehicles-moved").ClickAsync();
        await CaseStatusAsync(console, "vehicles_moved");
        await console.GetByTestId("liability-scenario").SelectOptionAsync("rear-end");
        await console.GetByTestId("liability-facts").FillAsync("甲车追尾乙车");
        await console.GetByTestId("tile-1-liability").SelectOptionAsync("full");
        await console.GetByTestId("tile-2-liability").SelectOptionAsync("none");
        await console.GetByTestId("save-liability").ClickAsync();
        await CaseStatusAsync(console, "liability_determined");

        // The officer asks for the details; each driver gives name and ID number on the details card.
        await console.GetByTestId("instruct-details").ClickAsync();
        string[] names = ["张伟", "李娜"];
        for (var i = 0; i < drivers.Length; i++)
        {
            var card = drivers[i].GetByTestId("details-card");
            await card.WaitForAsync();
            await drivers[i].GetByTestId("details-name").FillAsync(names[i]);
            await drivers[i].GetByTestId("details-id").FillAsync(Api.IdNumbers[i]);
            await drivers[i].GetByTestId("details-save").ClickAsync();
            await card.WaitForAsync(new() { State = WaitForSelectorState.Hidden });
        }

        // The officer issues the document; each driver signs on the pad with the mouse.
        await console.GetByTestId("document-weather").SelectOptionAsync("晴");
        await console.GetByTestId("issue-document").ClickAsync();
        await CaseStatusAsync(console, "awaiting_signatures");
        await ScreenshotAsync(console, "console-case");
        foreach (var driver in drivers)
        {
            var pad = driver.GetByTestId("sign-pad");
            await pad.WaitForAsync();
            await pad.ScrollIntoViewIfNeededAsync();
            var box = await pad.BoundingBoxAsync() ?? throw new InvalidOperationException("the signature pad has no box");
            await driver.Mouse.MoveAsync(box.X + (box.Width * 0.15f), box.Y + (box.Height * 0.6f));
            await driver.Mouse.DownAsync();
            for (var step = 1; step <= 12; step++)
            {
                var x = box.X + (box.Width * (0.15f + (0.06f * step)));
                var y = box.Y + (box.Height * (step % 2 == 0 ? 0.35f : 0.65f));
                await driver.Mouse.MoveAsync(x, y, new() { Steps = 3 });
            }

            await driver.Mouse.UpAsync();
            if (driver == driver1)
            {
                await ScreenshotAsync(driver, "driver-sign");
            }

            await driver.GetByTestId("sign-submit").ClickAsync();
            await driver.Locator("[data-testid=instruction][data-kind=signed]").WaitForAsync();
        }

        await ScreenshotAsync(driver1, "driver-signed");
        using var party = s.Client(first.Token);
        var document = await Eventually.Until(() => party.GetJsonAsync($"/api/cases/{caseId}/document"),
            d => d.GetProperty("status").GetString() == "signed", "the document signed by both", WaitLimit);
        var code = document.GetProperty("verificationCode").GetString()!;

        // The signed PDF, fetched by the driver page with its own token.
        var base64 = await driver1.EvaluateAsync<string>("""
            async () => {
              const s = JSON.parse(localStorage.getItem('ar.driver'));
              const r = await fetch(`/api/cases/${s.caseId}/document/pdf`, { headers: { Authorization: `Bearer ${s.token}` } });
              if (!r.ok) throw new Error(`HTTP ${r.status}`);
              const bytes = new Uint8Array(await r.arrayBuffer());
              let text = '';
              for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
              return btoa(text);
            }
            """);
        var pdf = Convert.FromBase64String(base64);
        Assert.Equal(document.GetProperty("sha256").GetString(), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(pdf)));

        var text = PdfReading.Text(pdf);
        Assert.Contains("京A12345", text, StringComparison.Ordinal);
        Assert.Contains("沪AD12345", text, StringComparison.Ordinal);
        Assert.Contains("全部", text, StringComparison.Ordinal);
        Assert.Contains("无责任", text, StringComparison.Ordinal);
        Assert.Contains("张伟", text, StringComparison.Ordinal);
        Assert.Contains("李娜", text, StringComparison.Ordinal);

        var verifyUrl = Assert.Single(PdfReading.QrCodes(pdf));
        Assert.EndsWith($"/verify/{code}", verifyUrl, StringComparison.Ordinal);
        using var anonymous = s.Client();
        var verifyPath = new Uri(verifyUrl).AbsolutePath;
        Assert.Contains("genuine document", await anonymous.GetStringAsync(verifyPath), StringComparison.Ordinal);
        using (var same = new MultipartFormDataContent { { new ByteArrayContent(pdf), "file", "document.pdf" } })
        {
            Assert.Contains("unaltered", await (await anonymous.PostAsync(verifyPath, same)).Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }

        pdf[pdf.Length / 2] ^= 0x01;
        using var flipped = new MultipartFormDataContent { { new ByteArrayContent(pdf), "file", "document.pdf" } };
        Assert.Contains("ALTERED", await (await anonymous.PostAsync(verifyPath, flipped)).Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static Task CaseStatusAsync(IPage console, string status) =>
        console.Locator($"[data-testid=case-status][data-status={status}]").WaitForAsync();
}
