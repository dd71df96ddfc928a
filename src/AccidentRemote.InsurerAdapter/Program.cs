using Microsoft.Extensions.Hosting;

namespace AccidentRemote.InsurerAdapter;

// Not top-level statements: the test project also references the server, whose Program is global.
internal static class Program
{
    public static async Task Main(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.AddInsurerAdapter();
        await builder.Build().RunAsync();
    }
}
