using System.Text.Json;
using System.Text.Json.Serialization;
using AccidentRemote.Contracts.Claims;

namespace AccidentRemote.Server.Claims;

/// <summary>An exchange of the claims topology: always a durable direct exchange.</summary>
public sealed record TopologyExchange(string Name)
{
    public string Type => "direct";

    public bool Durable => true;
}

/// <summary>A durable queue of the claims topology with its arguments (the broker refuses a redeclaration with other ones).</summary>
public sealed record TopologyQueue(string Name, IReadOnlyDictionary<string, object> Arguments)
{
    public bool Durable => true;
}

/// <summary>A binding: messages published to <see cref="Exchange"/> with <see cref="RoutingKey"/> go to <see cref="Queue"/>.</summary>
public sealed record TopologyBinding(string Exchange, string Queue, string RoutingKey);

/// <summary>The whole claims topology for a list of insurers, in the order it must be declared.</summary>
public sealed record TopologyDeclaration(IReadOnlyList<TopologyExchange> Exchanges, IReadOnlyList<TopologyQueue> Queues, IReadOnlyList<TopologyBinding> Bindings);

/// <summary>
/// The claims topology on RabbitMQ, the one description of it, top to bottom. The names come from
/// <see cref="ClaimsWire"/> (the contract insurers depend on); this file says what exists under
/// those names and with which arguments. Three readers, no copies:
/// <list type="bullet">
/// <item><see cref="BrokerTopology"/> declares the claims and dead-letter exchanges and each insurer's
/// queues and bindings with RabbitMQ.Client (<see cref="ForInsurer"/>).</item>
/// <item><see cref="BusSetup"/> gives MassTransit the exchange names, the routing key, and the server's
/// ack queue with its arguments and bindings (<see cref="AcksQueue"/>, <see cref="AckBinding"/>).</item>
/// <item><c>infra/rabbitmq/provision.sh</c> reads <see cref="ToJson"/> through the server's
/// <c>topology --json</c> command (<see cref="TopologyCommand"/>).</item>
/// </list>
/// </summary>
public static class ClaimsTopology
{
    // 1. Exchanges. Claims go to Claims, insurers answer on Acks, claims that an insurer rejected or that
    //    were redelivered too often go to DeadLetters.
    public static readonly TopologyExchange Claims = new(ClaimsWire.Exchange);

    public static readonly TopologyExchange Acks = new(ClaimsWire.AcksExchange);

    public static readonly TopologyExchange DeadLetters = new(ClaimsWire.DeadLetterExchange);

    // 2. Routing: one key for both directions, the insurer's code. Set here only (MassTransit's routing key formatter).
    public static string RoutingKey(ClaimSubmitted claim) => claim.InsurerCode;

    public static string RoutingKey(ClaimAcknowledged ack) => ack.InsurerCode;

    // 3. Per insurer: a quorum queue claims.<code> bound to Claims with its code. A claim the insurer rejects,
    //    or that is redelivered more than ClaimsWire.DeliveryLimit times, moves to the insurer's own dead-letter
    //    queue claims.<code>.dead instead of looping for ever. The dead-letter queue is the end of the line:
    //    quorum, nothing else. It is declared first, so nothing dead-lettered in between is dropped.
    public static TopologyQueue ClaimsQueue(string insurerCode) => new(ClaimsWire.QueueFor(insurerCode), new Dictionary<string, object>
    {
        ["x-queue-type"] = "quorum",
        ["x-dead-letter-exchange"] = ClaimsWire.DeadLetterExchange,
        ["x-dead-letter-routing-key"] = insurerCode,
        ["x-delivery-limit"] = ClaimsWire.DeliveryLimit,
    });

    public static TopologyQueue DeadLetterQueue(string insurerCode) => new(ClaimsWire.DeadLetterQueueFor(insurerCode), Quorum());

    /// <summary>One insurer's queues (dead letters first) and their bindings, as <see cref="BrokerTopology"/> declares them.</summary>
    public static (IReadOnlyList<TopologyQueue> Queues, IReadOnlyList<TopologyBinding> Bindings) ForInsurer(string insurerCode)
    {
        TopologyQueue dead = DeadLetterQueue(insurerCode), claims = ClaimsQueue(insurerCode);
        return ([dead, claims], [new(DeadLetters.Name, dead.Name, insurerCode), new(Claims.Name, claims.Name, insurerCode)]);
    }

    // 4. The server's acknowledgement queue: quorum, bound to Acks once per insurer with its code
    //    (declared by MassTransit's receive endpoint).
    public static readonly TopologyQueue AcksQueue = new(ClaimsWire.AcksQueue, Quorum());

    public static TopologyBinding AckBinding(string insurerCode) => new(Acks.Name, AcksQueue.Name, insurerCode);

    /// <summary>Everything, for a list of insurers, in declaration order: what <c>provision.sh</c> declares.</summary>
    public static TopologyDeclaration For(IEnumerable<string> insurerCodes)
    {
        var queues = new List<TopologyQueue> { AcksQueue };
        var bindings = new List<TopologyBinding>();
        foreach (var code in insurerCodes)
        {
            var (q, b) = ForInsurer(code);
            queues.AddRange(q);
            bindings.AddRange(b);
            bindings.Add(AckBinding(code));
        }

        return new TopologyDeclaration([Claims, Acks, DeadLetters], queues, bindings);
    }

    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DictionaryKeyPolicy = null, // argument names are the broker's (x-queue-type), not camelCased
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The declaration as JSON, the shape the RabbitMQ management API takes for each entity.</summary>
    public static string ToJson(TopologyDeclaration declaration) => JsonSerializer.Serialize(declaration, JsonOptions);

    private static Dictionary<string, object> Quorum() => new() { ["x-queue-type"] = "quorum" };
}
