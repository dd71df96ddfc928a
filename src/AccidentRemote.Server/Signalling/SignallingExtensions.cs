using Microsoft.AspNetCore.SignalR;

namespace AccidentRemote.Server.Signalling;

public static class SignallingExtensions
{
    public static IHostApplicationBuilder AddSignalling(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SignallingOptions>()
            .Bind(builder.Configuration.GetSection(SignallingOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddOptions<TurnOptions>()
            .Bind(builder.Configuration.GetSection(TurnOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => o.Urls.Count == 0 || o.Secret.Length >= 16,
                "Turn:Secret must be set (at least 16 characters, the same as coturn's static-auth-secret) when Turn:Urls lists TURN servers.")
            .Validate(o => o.StunUrls.All(u => u.StartsWith("stun:", StringComparison.Ordinal) || u.StartsWith("stuns:", StringComparison.Ordinal)),
                "Turn:StunUrls entries must start with stun: or stuns:.")
            .ValidateOnStart();
        builder.Services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<TurnOptions>, TurnUrlValidation>();

        var settings = builder.Configuration.GetSection(SignallingOptions.Section).Get<SignallingOptions>() ?? new SignallingOptions();
        var signalR = builder.Services.AddSignalR(o =>
        {
            o.MaximumReceiveMessageSize = settings.MaxMessageBytes;
            // Outermost first: the refusal log sees what the rate limit refuses too.
            o.AddFilter<HubRefusalLogFilter>();
            o.AddFilter<SignalRateLimitFilter>();
            o.AddFilter<PartyHubSessions>();
        });
        builder.Logging.AddFilter(HubRefusalLogFilter.DispatcherCategory, LogLevel.None);
        if (!string.IsNullOrWhiteSpace(settings.Redis))
        {
            // Several nodes: hub groups and messages go through Redis, and so does presence.
            signalR.AddStackExchangeRedis(settings.Redis, o => o.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal(settings.RedisPrefix));
            builder.Services.AddSingleton(_ => new RedisConnection(settings.Redis, settings.RedisPrefix));
            builder.Services.AddOptions<Microsoft.AspNetCore.SignalR.StackExchangeRedis.RedisOptions>().Configure<RedisConnection>((o, redis) => o.ConnectionFactory = redis.GetAsync);
            builder.Services.AddSingleton<Presence>(sp => new RedisPresence(sp.GetRequiredService<RedisConnection>(), settings.RedisPrefix));
        }
        else
        {
            builder.Services.AddSingleton<Presence, LocalPresence>();
        }
        builder.Services.AddSingleton<SignalRateLimitFilter>();
        CallEndpoints.AddCallNoticeRateLimit(builder.Services);
        builder.Services.AddSingleton<HubRefusalLogFilter>();
        builder.Services.AddSingleton<PartyHubSessions>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<PartyHubSessions>());
        builder.Services.AddSingleton<IceServers>();
        builder.Services.AddSingleton<ICaseNotifier, HubCaseNotifier>();
        builder.Services.AddSingleton<Cases.ICasePages>(sp => sp.GetRequiredService<ICaseNotifier>());
        builder.Services.AddSingleton<Cases.ICaseObserver, CasePagesObserver>();
        builder.Services.AddSingleton<Cases.IOfficersOnline>(sp => sp.GetRequiredService<Presence>());
        return builder;
    }
}

/// <summary>Each Turn:Urls entry checked on its own, so the message names the bad one.</summary>
internal sealed class TurnUrlValidation : Microsoft.Extensions.Options.IValidateOptions<TurnOptions>
{
    public Microsoft.Extensions.Options.ValidateOptionsResult Validate(string? name, TurnOptions options)
    {
        var problems = options.UrlProblems().ToList();
        return problems.Count == 0 ? Microsoft.Extensions.Options.ValidateOptionsResult.Success : Microsoft.Extensions.Options.ValidateOptionsResult.Fail(problems);
    }
}
