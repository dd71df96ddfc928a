namespace AccidentRemote.Tests.Infrastructure;

/// <summary>A test class on the production shape: its own PostgreSQL database and RabbitMQ virtual host, removed afterwards.</summary>
public abstract class PostgresAndBrokerTest : IAsyncLifetime
{
    protected PostgresDatabase Database { get; private set; } = null!;

    protected RabbitVhost Vhost { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Database = await PostgresDatabase.CreateAsync();
        Vhost = await RabbitVhost.CreateAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        await Vhost.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
