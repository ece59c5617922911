namespace GraphRec.Tests;

/// <summary>
/// The PostgreSQL database of the tests, named by GRAPHREC_TEST_POSTGRES (.ci/run starts PostgreSQL and sets it; so
/// does <c>source .ci/postgres.sh</c> on a developer's machine).
/// </summary>
public static class PostgresTestDatabase
{
    public const string Variable = "GRAPHREC_TEST_POSTGRES";

    /// <summary>The connection string; skips the test outside CI when it is not set, fails in CI.</summary>
    public static string ConnectionString()
    {
        string? connectionString = Environment.GetEnvironmentVariable(Variable);
        bool inCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (string.IsNullOrEmpty(connectionString))
        {
            Assert.False(inCi, $"{Variable} is not set: in CI the PostgreSQL tests must run (.ci/run starts PostgreSQL and sets it).");
            Skip.If(true, $"{Variable} is not set: the PostgreSQL tests are skipped. Run `source .ci/postgres.sh` (starts PostgreSQL 15 and sets it) or set it to a connection string such as Host=127.0.0.1;Database=graphrec_test;Username=...;Password=....");
        }

        return connectionString!;
    }
}
