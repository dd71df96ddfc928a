namespace AccidentRemote.Tests.Infrastructure;

/// <summary>A clock that says what the test wants; advance it by hand.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now.ToUniversalTime();
}
