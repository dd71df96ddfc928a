using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using RabbitMQ.Client;

namespace AccidentRemote.Tests.Infrastructure;

/// <summary>A fresh RabbitMQ virtual host for one test (via the management API), deleted afterwards.</summary>
public sealed class RabbitVhost : IAsyncDisposable
{
    /// <summary>The management API as the test administrator, for checks the AMQP protocol cannot make.</summary>
    public static HttpClient Management { get; } = CreateManagementClient();

    private RabbitVhost(string name) => Name = name;

    public string Name { get; }

    public static async Task<RabbitVhost> CreateAsync()
    {
        var name = "ar-test-" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            (await Management.PutAsync($"api/vhosts/{name}", null)).EnsureSuccessStatusCode();
            (await Management.PutAsJsonAsync($"api/permissions/{name}/{TestServices.RabbitUser}",
                new { configure = ".*", write = ".*", read = ".*" })).EnsureSuccessStatusCode();
        }
        catch (HttpRequestException ex)
        {
            throw new InvalidOperationException(TestServices.ServiceHint("RabbitMQ (management API)"), ex);
        }

        return new RabbitVhost(name);
    }

    public ConnectionFactory Factory(int? port = null) => new()
    {
        HostName = TestServices.RabbitHost,
        Port = port ?? TestServices.RabbitPort,
        VirtualHost = Name,
        UserName = TestServices.RabbitUser,
        Password = TestServices.RabbitPassword,
    };

    public async ValueTask DisposeAsync() => await Management.DeleteAsync($"api/vhosts/{Name}");

    private static HttpClient CreateManagementClient()
    {
        var client = new HttpClient { BaseAddress = new Uri(TestServices.RabbitManagement.TrimEnd('/') + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.ASCII.GetBytes($"{TestServices.RabbitUser}:{TestServices.RabbitPassword}")));
        return client;
    }
}
