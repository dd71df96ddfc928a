using Npgsql;

namespace AccidentRemote.Tests.Infrastructure;

/// <summary>
/// Where the real PostgreSQL and RabbitMQ of the test run are. infra/test.sh starts them
/// and sets these variables; a missing service is a failure, never a skip.
/// </summary>
public static class TestServices
{
    public static string PostgresAdmin => Require("ACCIDENTREMOTE_TEST_POSTGRES", "Host=127.0.0.1;Port=5432;Username=postgres;Password=postgres;Database=postgres");

    public static string RabbitHost => Environment.GetEnvironmentVariable("ACCIDENTREMOTE_TEST_RABBITMQ_HOST") ?? "127.0.0.1";

    public static int RabbitPort => int.Parse(Environment.GetEnvironmentVariable("ACCIDENTREMOTE_TEST_RABBITMQ_PORT") ?? "5672", System.Globalization.CultureInfo.InvariantCulture);

    public static string RabbitManagement => Environment.GetEnvironmentVariable("ACCIDENTREMOTE_TEST_RABBITMQ_MANAGEMENT") ?? "http://127.0.0.1:15672";

    public static string Redis => Environment.GetEnvironmentVariable("ACCIDENTREMOTE_TEST_REDIS") ?? "127.0.0.1:6379";

    public const string RabbitUser = "guest";
    public const string RabbitPassword = "guest";

    private static string Require(string name, string fallback)
    {
        var value = Environment.GetEnvironmentVariable(name);
        if (!string.IsNullOrEmpty(value))
        {
            return value;
        }

        if (Environment.GetEnvironmentVariable("CI") == "true")
        {
            throw new InvalidOperationException($"{name} is not set: run the tests with infra/test.sh, which starts PostgreSQL and RabbitMQ.");
        }

        return fallback;
    }

    public static string ServiceHint(string service) =>
        $"{service} is not reachable. Run the suite with `infra/test.sh`, which installs and starts it on loopback.";

    public static NpgsqlConnectionStringBuilder PostgresBuilder() => new(PostgresAdmin);
}
