using System.Diagnostics;

namespace AccidentRemote.Tests.Infrastructure;

/// <summary>
/// A private RabbitMQ node for one test, started by <c>infra/rabbitmq/node.sh</c> beside the
/// suite's shared broker (which other tests use at the same time and must never be killed): its
/// own node name, AMQP, distribution and management ports and data folder. The test may kill it
/// with SIGKILL and start it again on the same data. Needs root (the node runs as the rabbitmq
/// user), as infra/test.sh provides. DisposeAsync kills it and deletes its data.
/// </summary>
public sealed class RabbitNode : IAsyncDisposable
{
    private RabbitNode(DirectoryInfo folder, string name, int amqpPort, int managementPort)
    {
        Folder = folder;
        Name = name;
        AmqpPort = amqpPort;
        ManagementPort = managementPort;
    }

    public DirectoryInfo Folder { get; }

    public string Name { get; }

    public int AmqpPort { get; }

    public int ManagementPort { get; }

    public Uri Management => new($"http://127.0.0.1:{ManagementPort}");

    private string DataDir => Path.Combine(Folder.FullName, "node");

    public static async Task<RabbitNode> StartAsync()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("A private RabbitMQ node is started with infra/rabbitmq/node.sh, on Linux.");
        }

        if (Environment.UserName != "root")
        {
            throw new InvalidOperationException("A private RabbitMQ node needs root (it runs as the rabbitmq user): run the tests with `infra/test.sh`.");
        }

        var folder = MemoryFolder("ar-rabbit-");
        // The node runs as the rabbitmq user and must reach its folder.
        File.SetUnixFileMode(folder.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
            UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var node = new RabbitNode(folder, $"fault-{Guid.NewGuid().ToString("N")[..8]}@localhost", NodeProcess.FreePort(), NodeProcess.FreePort());
        try
        {
            await RunAsync("start", node.DataDir, node.Name, node.AmqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                NodeProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
                node.ManagementPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }

        return node;
    }

    /// <summary>
    /// A new folder in memory (/dev/shm) when there is one, else in the temp folder. An fsync there
    /// costs nothing, which keeps durable writers (quorum queues, the adapter's SQLite) fast in tests;
    /// a process killed with SIGKILL keeps what it wrote either way, so the faults tested are the same.
    /// </summary>
    public static DirectoryInfo MemoryFolder(string prefix) =>
        Directory.Exists("/dev/shm")
            ? Directory.CreateDirectory(Path.Combine("/dev/shm", prefix + Guid.NewGuid().ToString("N")[..12]))
            : Directory.CreateTempSubdirectory(prefix);

    /// <summary>SIGKILL to the Erlang VM: no clean shutdown, nothing flushed that was not already written.</summary>
    public Task Kill9Async() => RunAsync("kill9", DataDir);

    /// <summary>Starts the node again on the same data folder; returns when AMQP and the management API answer.</summary>
    public Task StartAgainAsync() => RunAsync("start", DataDir);

    /// <summary>
    /// Provisions a virtual host with <c>infra/rabbitmq/provision.sh</c> against this node, with the
    /// passwords <see cref="ProvisionedBroker.PasswordFor"/> gives.
    /// </summary>
    public async Task ProvisionAsync(string vhost, string serverUser, params string[] codes)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(ProvisionedBroker.RepositoryRoot(), "infra", "rabbitmq", "provision.sh"));
        start.ArgumentList.Add(vhost);
        foreach (var code in codes)
        {
            start.ArgumentList.Add(code);
            start.Environment[$"INSURER_PASSWORD_{code.ToUpperInvariant().Replace('-', '_')}"] = ProvisionedBroker.PasswordFor(ProvisionedBroker.InsurerUser(code));
        }

        start.Environment["RABBITMQ_API"] = Management.ToString();
        start.Environment["SERVER_USER"] = serverUser;
        start.Environment["SERVER_PASSWORD"] = ProvisionedBroker.PasswordFor(serverUser);
        start.Environment["ACCIDENTREMOTE_SERVER"] = ProvisionedBroker.ServerDll;
        await RunAsync(start);
    }

    private static Task RunAsync(params string[] args)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(ProvisionedBroker.RepositoryRoot(), "infra", "rabbitmq", "node.sh"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return RunAsync(start);
    }

    private static async Task RunAsync(ProcessStartInfo start)
    {
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', start.ArgumentList)} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Its data is thrown away, so no clean stop is needed (and kill is ~10 s faster).
            if (File.Exists(Path.Combine(DataDir, "rabbit.pid")))
            {
                await RunAsync("kill9", DataDir).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        finally
        {
            Folder.Delete(recursive: true);
        }
    }
}
