namespace AccidentRemote.Tests.Faults;

/// <summary>
/// The tests that kill and restart whole processes (a RabbitMQ node, a server node) run one after
/// the other: each is heavy (1,000 claims, process start-ups) and the machine has two cores.
/// They still run in parallel with the rest of the suite.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ProcessKills
{
    public const string Name = "Process kills";
}
