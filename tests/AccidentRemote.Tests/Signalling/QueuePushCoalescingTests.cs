using AccidentRemote.Server.Signalling;

namespace AccidentRemote.Tests.Signalling;

/// <summary>A burst of queue changes sends the whole queue to officers once more, not once per change.</summary>
public sealed class QueuePushCoalescingTests
{
    [Fact]
    public async Task Requests_during_a_running_push_fold_into_exactly_one_more_push()
    {
        var pushes = 0;
        var started = new SemaphoreSlim(0);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var coalescer = new QueuePushCoalescer(async () =>
        {
            Interlocked.Increment(ref pushes);
            started.Release();
            await release.Task;
        }, TimeSpan.Zero, TimeProvider.System);

        coalescer.Request();
        await started.WaitAsync(TimeSpan.FromSeconds(30)); // the first push runs at once, and is held
        for (var i = 0; i < 50; i++)
        {
            coalescer.Request(); // fifty reports arrive meanwhile
        }

        Assert.Equal(1, Volatile.Read(ref pushes));
        release.SetResult();
        await coalescer.Idle.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(2, pushes); // one more push, with the queue as it is after all fifty

        coalescer.Request(); // idle again: the next change is pushed at once
        await coalescer.Idle.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(3, pushes);
    }
}
