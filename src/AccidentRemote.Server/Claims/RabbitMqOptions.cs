using System.ComponentModel.DataAnnotations;
using RabbitMQ.Client;

namespace AccidentRemote.Server.Claims;

/// <summary>Connection to RabbitMQ, used when <see cref="BusOptions.Transport"/> is <c>RabbitMq</c>.</summary>
public sealed class RabbitMqOptions
{
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535, ErrorMessage = "Bus:RabbitMq:Port must be a TCP port (1-65535).")]
    public int Port { get; set; } = 5672;

    public string VirtualHost { get; set; } = "/";

    public string Username { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>A RabbitMQ.Client connection to this broker, for what MassTransit does not do (declaring the topology, reading queue depths).</summary>
    public ConnectionFactory CreateConnectionFactory(string clientName) => new()
    {
        HostName = Host,
        Port = Port,
        VirtualHost = VirtualHost,
        UserName = Username,
        Password = Password,
        ClientProvidedName = clientName,
    };
}
