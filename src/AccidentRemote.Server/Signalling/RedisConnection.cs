using StackExchange.Redis;

namespace AccidentRemote.Server.Signalling;

/// <summary>
/// The node's one Redis connection, shared by the SignalR backplane (its connection factory) and
/// <see cref="RedisPresence"/>. The channel prefix keeps deployments that share a Redis apart.
/// A failed connect is retried by the next caller.
/// </summary>
public sealed class RedisConnection(string configuration, string channelPrefix) : IDisposable
{
    private readonly Lock gate = new();
    private Task<IConnectionMultiplexer>? connecting;

    public Task<IConnectionMultiplexer> GetAsync(TextWriter? log = null)
    {
        lock (gate)
        {
            if (connecting is null || connecting.IsFaulted || connecting.IsCanceled)
            {
                connecting = ConnectAsync(log);
            }

            return connecting;
        }
    }

    public void Dispose()
    {
        if (connecting is { IsCompletedSuccessfully: true } done)
        {
            done.Result.Dispose();
        }
    }

    private async Task<IConnectionMultiplexer> ConnectAsync(TextWriter? log)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.ChannelPrefix = RedisChannel.Literal(channelPrefix);
        return await ConnectionMultiplexer.ConnectAsync(options, log);
    }
}
