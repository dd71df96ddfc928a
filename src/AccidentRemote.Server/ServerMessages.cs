using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server;

/// <summary>
/// Marker for the server's messages in <c>Resources/ServerMessages.*.resx</c> (zh-CN and en): every
/// ProblemDetails title and detail, every per-field validation message and every refusal reason.
/// </summary>
/// <remarks>
/// How to add a message: pick a key <c>Feature.What</c>, add it to <c>ServerMessages.resx</c> (=
/// zh-CN), <c>ServerMessages.zh-CN.resx</c> and <c>ServerMessages.en.resx</c> (a test checks the
/// three have the same keys and that every key the code passes to <see cref="Problems"/> or
/// <see cref="ServerText.Get"/> exists), then answer with <c>Problems.Of(409, "Feature.What", args)</c>
/// (texts <c>Feature.What.title</c> and, optional, <c>Feature.What.detail</c>) or build a field
/// message with <c>ServerText.Get("Feature.What", args)</c>. Texts say what to do in plain words;
/// they never name a state (<c>in_call</c>), an API path or an id; machine facts go in extensions.
/// </remarks>
public sealed class ServerMessages;

/// <summary>
/// The server's texts in the request's language. Request localisation (Hosting) sets the current UI
/// culture from Accept-Language before any endpoint runs, so a text looked up while answering a
/// request is in that request's language (zh-CN when none is asked for).
/// </summary>
public static class ServerText
{
    private static readonly IStringLocalizer Localizer = new ResourceManagerStringLocalizerFactory(
        Options.Create(new LocalizationOptions { ResourcesPath = "Resources" }), NullLoggerFactory.Instance).Create(typeof(ServerMessages));

    /// <summary>The text for <paramref name="key"/> in the current UI culture, formatted with <paramref name="args"/>.</summary>
    public static string Get(string key, params object?[] args)
    {
        // A missing key shows as itself rather than failing the answer; ServerMessageKeyTests keeps every key present.
        var text = Localizer[key];
        return args.Length == 0 ? text.Value : string.Format(CultureInfo.CurrentCulture, text.Value, args);
    }

    /// <summary>The text for <paramref name="key"/>, or null when there is none (an optional detail).</summary>
    public static string? Find(string key, params object?[] args)
    {
        var text = Localizer[key];
        return text.ResourceNotFound ? null : args.Length == 0 ? text.Value : string.Format(CultureInfo.CurrentCulture, text.Value, args);
    }
}

/// <summary>
/// ProblemDetails answers in the request's language with a stable machine <c>code</c> (the message
/// key) as an extension: pages and clients branch on <c>code</c>, people read title and detail.
/// </summary>
public static class Problems
{
    /// <summary>The extension that carries the stable message key.</summary>
    public const string CodeExtension = "code";

    /// <summary>
    /// A problem whose title is <c>{code}.title</c> and detail <c>{code}.detail</c> (if the resources
    /// have one), both formatted with <paramref name="args"/>.
    /// </summary>
    public static ProblemHttpResult Of(int statusCode, string code, params object?[] args) =>
        With(statusCode, code, null, args);

    /// <summary>As <see cref="Of"/>, with further machine-readable extensions (such as <c>caseStatus</c>).</summary>
    public static ProblemHttpResult With(int statusCode, string code, IDictionary<string, object?>? extensions, params object?[] args)
    {
        var all = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { [CodeExtension] = code };
        return TypedResults.Problem(statusCode: statusCode, title: ServerText.Get(code + ".title", args),
            detail: ServerText.Find(code + ".detail", args), extensions: all);
    }

    /// <summary>A problem with a title from the resources and a detail already in the request's language.</summary>
    public static ProblemHttpResult WithDetail(int statusCode, string code, string? detail, IDictionary<string, object?>? extensions = null)
    {
        var all = new Dictionary<string, object?>(extensions ?? new Dictionary<string, object?>()) { [CodeExtension] = code };
        return TypedResults.Problem(statusCode: statusCode, title: ServerText.Get(code + ".title"), detail: detail, extensions: all);
    }

    /// <summary>A 400 with per-field messages (already in the request's language) under the title <c>{code}.title</c>.</summary>
    public static ValidationProblem Invalid(string code, IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: ServerText.Get(code + ".title"),
            extensions: new Dictionary<string, object?> { [CodeExtension] = code });

    /// <summary>A 400 for one field: the message <paramref name="key"/> under the general title <c>Validation.title</c>.</summary>
    public static ValidationProblem Field(string field, string key, params object?[] args) =>
        Invalid("Validation", new Dictionary<string, string[]> { [field] = [ServerText.Get(key, args)] });
}
