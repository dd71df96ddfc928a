using AccidentRemote.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Tests.Evidence;

/// <summary>A wrong evidence setting stops the server at start, naming the setting.</summary>
public sealed class EvidenceStartupTests
{
    [Theory]
    [InlineData("Evidence:MaxBytes", "0", "Evidence:MaxBytes must be between")]
    [InlineData("Evidence:MaxPixels", "0", "Evidence:MaxPixels must be between")]
    [InlineData("Evidence:StoragePath", "", "Evidence:StoragePath is required")]
    public void A_bad_evidence_setting_fails_the_start(string key, string value, string expected)
    {
        using var app = TestApp.Embedded(extra: new() { [key] = value });
        var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());
        var all = ex is OptionsValidationException o ? string.Join(" ", o.Failures) : ex.ToString();
        Assert.Contains(expected, all, StringComparison.Ordinal);
    }

    [Fact]
    public void A_storage_path_that_cannot_be_created_fails_the_start_and_the_folder_is_created_otherwise()
    {
        var blocker = Path.Combine(Path.GetTempPath(), $"ar-evidence-file-{Guid.NewGuid():N}");
        File.WriteAllText(blocker, "a file where the folder should be");
        try
        {
            using (var app = TestApp.Embedded(extra: new() { ["Evidence:StoragePath"] = Path.Combine(blocker, "evidence") }))
            {
                var ex = Assert.ThrowsAny<Exception>(() => app.CreateClient());
                Assert.Contains("Evidence:StoragePath", ex.ToString(), StringComparison.Ordinal);
            }

            var folder = Path.Combine(Path.GetTempPath(), $"ar-evidence-new-{Guid.NewGuid():N}", "nested");
            using (var app = TestApp.Embedded(extra: new() { ["Evidence:StoragePath"] = folder }))
            {
                app.CreateClient();
                Assert.True(Directory.Exists(Path.Combine(folder, "incoming")));
            }

            Directory.Delete(Path.GetDirectoryName(folder)!, recursive: true);
        }
        finally
        {
            File.Delete(blocker);
        }
    }
}
