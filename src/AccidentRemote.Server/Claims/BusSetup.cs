using AccidentRemote.Contracts.Claims;
using AccidentRemote.Server.Insurers;
using MassTransit;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Claims;

/// <summary>
/// All bus topology, in one place, top to bottom. Claims go to the direct exchange
/// <c>accidentremote.claims</c> with routing key = insurer code, as plain JSON
/// (<c>application/json</c>) that any AMQP client reads without MassTransit.
/// </summary>
public static class BusSetup
{
    public static IHostApplicationBuilder AddClaims(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<BusOptions>()
            .Bind(builder.Configuration.GetSection(BusOptions.Section))
            .ValidateDataAnnotations()
            .Validate(o => Enum.IsDefined(o.Transport), "Bus:Transport must be 'InMemory' or 'RabbitMq'.")
            .Validate(o => o.Transport != BusTransport.RabbitMq || !string.IsNullOrWhiteSpace(o.RabbitMq.Host),
                "Bus:RabbitMq:Host is required when Bus:Transport is RabbitMq.")
            .Validate(o => o.Transport != BusTransport.RabbitMq || (!string.IsNullOrEmpty(o.RabbitMq.Username) && !string.IsNullOrEmpty(o.RabbitMq.Password)),
                "Bus:RabbitMq:Username and Bus:RabbitMq:Password are required when Bus:Transport is RabbitMq (set them in the environment, e.g. Bus__RabbitMq__Password).")
            .ValidateOnStart();
        builder.Services.AddOptions<ClaimsOptions>()
            .Bind(builder.Configuration.GetSection(ClaimsOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton<ClaimDispatchSignal>();
        builder.Services.AddSingleton<ClaimOutbox>();
        builder.Services.AddSingleton<Cases.ICaseCommitHook, ClaimsOnClose>();
        builder.Services.AddSingleton<EmbeddedInboxReader>();
        builder.Services.AddHostedService<ClaimDispatcher>();

        var bus = builder.Configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions();
        var insurers = builder.Configuration.GetSection(InsurerOptions.Section).Get<InsurerOptions>() ?? new InsurerOptions();
        if (bus.Transport == BusTransport.RabbitMq)
        {
            builder.Services.AddSingleton<BrokerTopology>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<BrokerTopology>());
        }

        builder.Services.AddMassTransit(x =>
        {
            // MassTransit 8.4+ reports usage telemetry to its vendor by default: a police system calls no one.
            x.DisableUsageTelemetry();
            x.AddConsumer<ClaimAcknowledgedConsumer>();
            if (bus.Transport == BusTransport.RabbitMq)
            {
                x.UsingRabbitMq((context, cfg) =>
                {
                    var o = context.GetRequiredService<IOptions<BusOptions>>().Value.RabbitMq;
                    cfg.Host(o.Host, (ushort)o.Port, o.VirtualHost, "accidentremote-server", h =>
                    {
                        h.Username(o.Username);
                        h.Password(o.Password);
                        h.PublisherConfirmation = true;
                    });
                    ConfigureClaimMessages(cfg);
                    cfg.Publish<ClaimSubmitted>(p => p.ExchangeType = RabbitMQ.Client.ExchangeType.Direct);
                    cfg.Publish<ClaimAcknowledged>(p => p.ExchangeType = RabbitMQ.Client.ExchangeType.Direct);

                    // Insurers answer on the acks exchange with their code as routing key; the server's
                    // queue is bound once per configured insurer.
                    cfg.ReceiveEndpoint(ClaimsWire.AcksQueue, e =>
                    {
                        e.ConfigureConsumeTopology = false;
                        e.SetQuorumQueue();
                        e.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
                        foreach (var insurer in insurers.Catalogue)
                        {
                            e.Bind(ClaimsWire.AcksExchange, b =>
                            {
                                b.ExchangeType = RabbitMQ.Client.ExchangeType.Direct;
                                b.RoutingKey = insurer.Code;
                            });
                        }

                        e.ConfigureConsumer<ClaimAcknowledgedConsumer>(context);
                    });
                });
                return;
            }

            x.AddConsumer<EmbeddedInsurerInboxConsumer>();
            x.UsingInMemory((context, cfg) =>
            {
                ConfigureClaimMessages(cfg);
                cfg.Publish<ClaimSubmitted>(p => p.ExchangeType = MassTransit.Transports.Fabric.ExchangeType.Direct);
                cfg.Publish<ClaimAcknowledged>(p => p.ExchangeType = MassTransit.Transports.Fabric.ExchangeType.Direct);
                cfg.ReceiveEndpoint(ClaimsWire.AcksQueue, e =>
                {
                    e.ConfigureConsumeTopology = false;
                    foreach (var insurer in insurers.Catalogue)
                    {
                        e.Bind(ClaimsWire.AcksExchange, MassTransit.Transports.Fabric.ExchangeType.Direct, insurer.Code);
                    }

                    e.ConfigureConsumer<ClaimAcknowledgedConsumer>(context);
                });
                foreach (var insurer in insurers.Catalogue)
                {
                    cfg.ReceiveEndpoint(ClaimsWire.QueueFor(insurer.Code), e =>
                    {
                        e.ConfigureConsumeTopology = false;
                        e.Bind(ClaimsWire.Exchange, MassTransit.Transports.Fabric.ExchangeType.Direct, insurer.Code);
                        e.ConfigureConsumer<EmbeddedInsurerInboxConsumer>(context);
                    });
                }
            });
        });

        return builder;
    }

    private static void ConfigureClaimMessages(IBusFactoryConfigurator cfg)
    {
        cfg.UseRawJsonSerializer(RawSerializerOptions.AddTransportHeaders | RawSerializerOptions.AnyMessageType, isDefault: true);
        cfg.Message<ClaimSubmitted>(m => m.SetEntityName(ClaimsWire.Exchange));
        cfg.Send<ClaimSubmitted>(s => s.UseRoutingKeyFormatter(c => c.Message.InsurerCode));
        cfg.Message<ClaimAcknowledged>(m => m.SetEntityName(ClaimsWire.AcksExchange));
        cfg.Send<ClaimAcknowledged>(s => s.UseRoutingKeyFormatter(c => c.Message.InsurerCode));
    }
}
