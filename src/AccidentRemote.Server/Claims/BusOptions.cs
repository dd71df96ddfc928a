namespace AccidentRemote.Server.Claims;

/// <summary>The message bus. Section <c>Bus</c>.</summary>
public sealed class BusOptions
{
    public const string Section = "Bus";

    /// <summary><c>InMemory</c> (embedded default, no broker) or <c>RabbitMq</c> (production).</summary>
    public BusTransport Transport { get; set; } = BusTransport.InMemory;

    public RabbitMqOptions RabbitMq { get; set; } = new();
}

public enum BusTransport
{
    InMemory,
    RabbitMq,
}
