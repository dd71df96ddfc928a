using System.Net;
using System.Net.Sockets;

namespace AccidentRemote.Tests.Infrastructure;

/// <summary>
/// A loopback TCP forwarder in front of a real service. <see cref="Cut"/> drops every
/// connection and refuses new ones, as a broker outage looks to a client; <see cref="Restore"/>
/// lets connections through again. Lets one test take "the broker" down without stopping
/// the broker that other tests use.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly int targetPort;
    private readonly CancellationTokenSource stop = new();
    private readonly List<TcpClient> open = [];
    private TcpListener? listener;
    private Task? acceptLoop;
    private int accepted;

    public TcpProxy(int targetPort)
    {
        this.targetPort = targetPort;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Restore();
    }

    public int Port { get; }

    /// <summary>Connections forwarded so far: shows that a client really went through the proxy.</summary>
    public int Accepted => Volatile.Read(ref accepted);

    public void Restore()
    {
        if (listener is not null)
        {
            return;
        }

        listener = new TcpListener(IPAddress.Loopback, Port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        var l = listener;
        acceptLoop = Task.Run(() => AcceptAsync(l));
    }

    public void Cut()
    {
        listener?.Stop();
        listener = null;
        lock (open)
        {
            foreach (var c in open)
            {
                try
                {
                    // Reset, not a polite close: the client sees the connection die as in an outage.
                    c.Client?.LingerState = new LingerOption(true, 0);
                }
                catch (ObjectDisposedException)
                {
                    // Already closed by its pump.
                }

                c.Dispose();
            }

            open.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener l)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await l.AcceptTcpClientAsync(stop.Token);
            }
            catch (Exception)
            {
                return;
            }

            var outbound = new TcpClient();
            try
            {
                await outbound.ConnectAsync(IPAddress.Loopback, targetPort, stop.Token);
            }
            catch (Exception)
            {
                inbound.Dispose();
                outbound.Dispose();
                continue;
            }

            lock (open)
            {
                // Accepted just before a Cut: it must not outlive the cut.
                if (!ReferenceEquals(listener, l))
                {
                    inbound.Dispose();
                    outbound.Dispose();
                    continue;
                }

                open.Add(inbound);
                open.Add(outbound);
            }

            Interlocked.Increment(ref accepted);

            _ = PumpAsync(inbound, outbound);
            _ = PumpAsync(outbound, inbound);
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), stop.Token);
        }
        catch (Exception)
        {
            // The other side went away or the proxy was cut.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Cut();
        await stop.CancelAsync();
        if (acceptLoop is not null)
        {
            await acceptLoop.ContinueWith(_ => { }, TaskScheduler.Default);
        }

        stop.Dispose();
    }
}
