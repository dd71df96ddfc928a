using AccidentRemote.Server.Insurers;

namespace AccidentRemote.Server.Claims;

/// <summary>
/// <c>topology --json &lt;insurer-code&gt;...</c>: prints the claims topology for these insurers
/// (<see cref="ClaimsTopology.For"/>) as JSON, for <c>infra/rabbitmq/provision.sh</c> to declare, so the
/// script holds no copy of names or queue arguments. Needs no configuration, database or broker.
/// Exit codes: 0 printed, 2 wrong usage.
/// </summary>
internal static class TopologyCommand
{
    public static int Run(string[] args)
    {
        if (args.Length < 2 || args[0] != "--json")
        {
            Console.Error.WriteLine("usage: topology --json <insurer-code>...");
            return 2;
        }

        var codes = args[1..];
        if (codes.FirstOrDefault(c => !InsurerCodes.Pattern().IsMatch(c)) is { } bad)
        {
            Console.Error.WriteLine($"Insurer code '{bad}' is not valid: use 2-32 lower-case letters, digits or '-', starting with a letter.");
            return 2;
        }

        Console.WriteLine(ClaimsTopology.ToJson(ClaimsTopology.For(codes)));
        return 0;
    }
}
