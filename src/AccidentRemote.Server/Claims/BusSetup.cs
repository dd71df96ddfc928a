using AccidentRemote.Contracts.Claims;
using AccidentRemote.Server.Insurers;
using MassTransit;
using Microsoft.Extensions.Options;

namespace AccidentRemote.Server.Claims;

/// <summary>
/// The claims feature's services and MassTransit. Claims go to the direct exchange
/// <see cref="ClaimsTopology.Claims"/> with routing key <see cref="ClaimsTopology.RoutingKey(ClaimSubmitted)"/>,
/// as plain JSON (<c>application/json</c>) that any AMQP client reads without MassTransit. What exists
/// on the broker is described once, in <see cref="ClaimsTopology"/>; this file only hands it to MassTransit
/// (the insurer queues themselves are declared by <see cref="BrokerTopology"/>).
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
        builder.Services.AddSingleton<ClaimBuilder>();
        builder.Services.AddSingleton<ClaimOutbox>();
        builder.Services.AddSingleton<Cases.ICaseCommitHook, ClaimsOnClose>();
        builder.Services.AddSingleton<ClaimLedger>();
        builder.Services.AddSingleton<EmbeddedInboxReader>();
        builder.Services.AddHostedService<ClaimDispatcher>();
        builder.Services.AddSingleton<ClaimMetrics>();
        builder.Services.AddHostedService<ClaimGauges>();

        var bus = builder.Configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions();
        var insurers = builder.Configuration.GetSection(InsurerOptions.Section).Get<InsurerOptions>() ?? new InsurerOptions();
        if (bus.Transport == BusTransport.RabbitMq)
        {
            builder.Services.AddSingleton<BrokerTopology>();
            builder.Services.AddSingleton<DeadLetterCounts>();
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
                    cfg.Publish<ClaimSubmitted>(p => p.ExchangeType = ClaimsTopology.Claims.Type);
                    cfg.Publish<ClaimAcknowledged>(p => p.ExchangeType = ClaimsTopology.Acks.Type);

                    // Insurers answer on the acks exchange with their code as routing key; the server's
                    // queue is bound once per configured insurer.
                    cfg.ReceiveEndpoint(ClaimsTopology.AcksQueue.Name, e =>
                    {
                        e.ConfigureConsumeTopology = false;
                        e.Durable = ClaimsTopology.AcksQueue.Durable;
                        foreach (var (name, value) in ClaimsTopology.AcksQueue.Arguments)
                        {
                            e.SetQueueArgument(name, value);
                        }

                        e.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
                        foreach (var binding in insurers.Catalogue.Select(i => ClaimsTopology.AckBinding(i.Code)))
                        {
                            e.Bind(binding.Exchange, b =>
                            {
                                b.ExchangeType = ClaimsTopology.Acks.Type;
                                b.Durable = ClaimsTopology.Acks.Durable;
                                b.RoutingKey = binding.RoutingKey;
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
                cfg.ReceiveEndpoint(ClaimsTopology.AcksQueue.Name, e =>
                {
                    e.ConfigureConsumeTopology = false;
                    foreach (var binding in insurers.Catalogue.Select(i => ClaimsTopology.AckBinding(i.Code)))
                    {
                        e.Bind(binding.Exchange, MassTransit.Transports.Fabric.ExchangeType.Direct, binding.RoutingKey);
                    }

                    e.ConfigureConsumer<ClaimAcknowledgedConsumer>(context);
                });
                // No broker, so no BrokerTopology: the insurer queues are in-memory endpoints read by the embedded inbox.
                foreach (var insurer in insurers.Catalogue)
                {
                    var (_, bindings) = ClaimsTopology.ForInsurer(insurer.Code);
                    var binding = bindings.Single(b => b.Exchange == ClaimsTopology.Claims.Name);
                    cfg.ReceiveEndpoint(binding.Queue, e =>
                    {
                        e.ConfigureConsumeTopology = false;
                        e.Bind(binding.Exchange, MassTransit.Transports.Fabric.ExchangeType.Direct, binding.RoutingKey);
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
        // Explicit entity names: the exchanges must not change when a class is renamed. The routing key is set
        // here and nowhere else (the dispatcher does not set one per publish).
        cfg.Message<ClaimSubmitted>(m => m.SetEntityName(ClaimsTopology.Claims.Name));
        cfg.Send<ClaimSubmitted>(s => s.UseRoutingKeyFormatter(c => ClaimsTopology.RoutingKey(c.Message)));
        cfg.Message<ClaimAcknowledged>(m => m.SetEntityName(ClaimsTopology.Acks.Name));
        cfg.Send<ClaimAcknowledged>(s => s.UseRoutingKeyFormatter(c => ClaimsTopology.RoutingKey(c.Message)));
    }
}
