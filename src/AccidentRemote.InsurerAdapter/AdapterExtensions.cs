using AccidentRemote.Contracts.Claims;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AccidentRemote.InsurerAdapter;

/// <summary>Registers the adapter: settings, the hand-over store, the insurer's system (HTTP or folder) and the consumer.</summary>
public static class AdapterExtensions
{
    public static IHostApplicationBuilder AddInsurerAdapter(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdapterOptions>()
            .Bind(builder.Configuration.GetSection(AdapterOptions.Section))
            .PostConfigure(o =>
            {
                if (string.IsNullOrEmpty(o.Broker.UserName) && !string.IsNullOrEmpty(o.InsurerCode))
                {
                    o.Broker.UserName = ClaimsWire.BrokerUserFor(o.InsurerCode);
                }
            })
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AdapterOptions>, AdapterOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<AdapterHooks>();
        builder.Services.AddSingleton<HandOverStore>();
        builder.Services.AddSingleton<IInsurerSystem>(sp =>
        {
            var o = sp.GetRequiredService<IOptions<AdapterOptions>>().Value;
            return string.IsNullOrWhiteSpace(o.Folder)
                ? new HttpInsurerSystem(new HttpClient { Timeout = o.HttpTimeout }, new Uri(o.HttpEndpoint!))
                : new FolderInsurerSystem(o.Folder, o.InsurerCode);
        });
        builder.Services.AddSingleton<ClaimHandler>();
        builder.Services.AddHostedService<AdapterWorker>();
        return builder;
    }
}

/// <summary>A seam for tests to act between the steps of one claim (e.g. cut the broker connection to simulate a crash).</summary>
internal sealed class AdapterHooks
{
    /// <summary>Runs after the hand-over and its dedup record, before the ack is published.</summary>
    public Func<Guid, Task> AfterHandOverRecorded { get; set; } = _ => Task.CompletedTask;
}
