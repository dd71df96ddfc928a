using System.Reflection;
using AccidentRemote.Server.Data;
using Xunit.Sdk;
using Xunit.v3;

namespace AccidentRemote.Tests.Infrastructure;

/// <summary>
/// The one source for "the same test on SQLite and PostgreSQL": a theory with this attribute runs
/// once per <see cref="DatabaseProvider"/> (its single parameter), as the embedded and the
/// production shape of the server. Both always run; a missing PostgreSQL fails, never skips.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class BothDatabasesAttribute : DataAttribute
{
    /// <summary>The providers every such theory runs on, in order.</summary>
    public static readonly DatabaseProvider[] Providers = [DatabaseProvider.Sqlite, DatabaseProvider.Postgres];

    /// <summary>For a theory with its own data as well: every value on each provider (provider first), for <c>[MemberData]</c>.</summary>
    public static TheoryData<DatabaseProvider, T> Times<T>(params T[] values)
    {
        var data = new TheoryData<DatabaseProvider, T>();
        foreach (var provider in Providers)
        {
            foreach (var value in values)
            {
                data.Add(provider, value);
            }
        }

        return data;
    }

    public override ValueTask<IReadOnlyCollection<ITheoryDataRow>> GetData(MethodInfo testMethod, DisposalTracker disposalTracker) =>
        new([.. Providers.Select(p => new TheoryDataRow<DatabaseProvider>(p))]);

    public override bool SupportsDiscoveryEnumeration() => true;
}
