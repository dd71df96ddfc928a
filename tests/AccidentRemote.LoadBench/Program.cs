using System.Globalization;

// AccidentRemote load benchmarks (not tests). Run them with infra/bench-load.sh, which starts
// PostgreSQL and RabbitMQ in a loopback-only network namespace.
//   signalling --pairs N [--officers O] [--spread-ms S] [--settle-s T] [--rounds R]   (starts the server as its own process)
//   peerjs --pairs N [--port P] [--pid PID] [--settle-s T] [--rounds R] (a PeerJS server already listening on 127.0.0.1:P, process PID)
//   claims --cases N [--clients K] [--hold]
//   api --reports N [--clients K] [--same-place]
namespace AccidentRemote.LoadBench;

internal static class LoadBenchMain
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine("usage: signalling --pairs N | claims --cases N | api --reports N [--clients K]");
            return 2;
        }

        int Option(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(Option("--timeout-min", 10)));
        switch (args[0])
        {
            case "signalling":
                var pairs = Option("--pairs", 100);
                await SignallingBench.RunAsync(pairs, Option("--officers", Math.Max(1, pairs / 20)), Option("--spread-ms", 1000), Option("--settle-s", 10), Option("--rounds", 2), timeout.Token);
                break;
            case "peerjs":
                var peerPairs = Option("--pairs", 100);
                var port = Option("--port", 9000);
                var pid = Option("--pid", 0);
                await PeerJsBench.RunAsync(new Uri($"ws://127.0.0.1:{port}"), pid > 0 ? pid : null, peerPairs, Option("--officers", Math.Max(1, peerPairs / 20)), Option("--spread-ms", 1000), Option("--settle-s", 10), Option("--rounds", 2), timeout.Token);
                break;
            case "claims":
                await ClaimsBench.RunAsync(Option("--cases", 500), Option("--clients", 16), args.Contains("--hold"), timeout.Token);
                break;
            case "api":
                await ApiBench.RunAsync(Option("--reports", 2000), Option("--clients", 16), args.Contains("--same-place"), timeout.Token);
                break;
            default:
                Console.Error.WriteLine($"unknown benchmark {args[0]}");
                return 2;
        }

        return 0;
    }
}
