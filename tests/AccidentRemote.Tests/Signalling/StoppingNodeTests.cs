using AccidentRemote.Tests.Infrastructure;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AccidentRemote.Tests.Signalling;

/// <summary>
/// A node that is stopping has just closed its hub connections, and the pages reconnect at once: it must not take
/// them back (it would hold them until its shutdown timeout and drop them again), but answer 503 so that nginx
/// sends them on to another node (proxy_next_upstream http_503 in infra/nginx/accidentremote.conf).
/// </summary>
public sealed class StoppingNodeTests
{
    [Fact]
    public async Task A_stopping_node_answers_new_hub_requests_with_503_for_the_proxy_to_send_elsewhere()
    {
        // StopApplication really stops the host (Program's app.Run() returns and disposes it), so without this gate a
        // request could meet a disposed host instead of a stopping one. Hosted services stop in reverse order of
        // registration: the gate, added last, stops first and holds the web server (stopped last) until the test is done.
        var gate = new StopGate();
        using var app = TestApp.Embedded(services: s => s.AddHostedService(_ => gate));
        using var releaseBeforeTheAppIsDisposed = gate;
        var officer = await app.OfficerClientAsync();
        using (var running = await officer.PostAsync(new Uri("/hubs/call/negotiate?negotiateVersion=1", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, running.StatusCode);
        }

        // Stopping begins (SIGTERM fires ApplicationStopping first); the test host keeps serving meanwhile, as
        // Kestrel does on the connections it already has until the host has stopped.
        app.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        await gate.Stopping.WaitAsync(TimeSpan.FromSeconds(30));
        using var stopping = await officer.PostAsync(new Uri("/hubs/call/negotiate?negotiateVersion=1", UriKind.Relative), null);
        Assert.True(stopping.StatusCode == HttpStatusCode.ServiceUnavailable, $"{stopping.StatusCode}: {await stopping.Content.ReadAsStringAsync()}");
        Assert.Equal("1", stopping.Headers.GetValues("Retry-After").Single());
        using var api = await officer.GetAsync(new Uri("/health/live", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, api.StatusCode); // only the hub turns new work away; requests in flight finish
    }

    /// <summary>A hosted service whose stop waits until the test disposes it (or the host's shutdown timeout ends).</summary>
    private sealed class StopGate : IHostedService, IDisposable
    {
        private readonly TaskCompletionSource stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Stopping => stopping.Task;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            stopping.TrySetResult();
            await release.Task.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        public void Dispose() => release.TrySetResult();
    }
}
