using System.Data.Common;
using GraphRec.Data;
using Microsoft.Data.Sqlite;
using GraphRec.Tests;
using Npgsql;

namespace GraphRec.Data.Tests;

/// <summary>
/// The DbDataReader source against real databases, one subclass per database: the same events, the same rules, the
/// same errors whatever the provider.
/// </summary>
public abstract class DatabaseSourceTests : IAsyncLifetime
{
    private static readonly InteractionColumns Columns = new("customer", "sku") { Rating = "stars", Timestamp = "ordered_at", Title = "title" };
    private static readonly DateTimeOffset Monday = new(2024, 5, 6, 9, 0, 0, TimeSpan.Zero);

    protected DbConnection Connection { get; private set; } = null!;

    /// <summary>Opens a connection to an empty scratch database (or schema) of the subclass's provider.</summary>
    protected abstract Task<DbConnection> OpenAsync();

    /// <summary>The SQL type of a point in time with its zone.</summary>
    protected abstract string TimeType { get; }

    /// <summary>A select-list expression that makes reading the third row (of the rows in <c>n</c> order) fail after the rows before it were read.</summary>
    protected abstract string FailsOnThirdRow { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Opens the database and fills the events table; called first by each test, so that a skip is a skip.</summary>
    private async Task SetUpAsync()
    {
        Connection = await OpenAsync();
        await ExecuteAsync($"create table events (customer text, sku text, stars real, ordered_at {TimeType}, title text, n integer)");
        await InsertAsync("cust-b", "SKU-2", 2, Monday.AddDays(2), "Blue mug", 1);
        await InsertAsync("cust-a", "SKU-1", 5, Monday, null, 2);
        await InsertAsync("cust-b", "SKU-2", 4, Monday.AddDays(1), "Mug", 3);
    }

    public virtual async Task DisposeAsync()
    {
        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }
    }

    [SkippableFact]
    public async Task Rows_of_a_query_build_the_dataset_that_the_same_events_from_memory_build()
    {
        await SetUpAsync();
        var fromRows = new InteractionDatasetBuilder("shop");
        await using (var reader = await QueryAsync("select customer, sku, stars, ordered_at, title from events order by n"))
        {
            Assert.Equal(3, await fromRows.AddRowsAsync(reader, Columns));
        }

        var fromMemory = new InteractionDatasetBuilder("shop")
            .Add("cust-b", "SKU-2", 2, Monday.AddDays(2))
            .Add("cust-a", "SKU-1", 5, Monday)
            .Add("cust-b", "SKU-2", 4, Monday.AddDays(1))
            .DescribeItem("SKU-2", "Mug");
        var expected = fromMemory.Build();
        var actual = fromRows.Build();

        Assert.Equal(expected.Users.Ids, actual.Users.Ids);
        Assert.Equal(expected.Items.Ids, actual.Items.Ids);
        Assert.Equal(expected.Interactions.Items.ToArray(), actual.Interactions.Items.ToArray());
        Assert.Equal(expected.Interactions.Ratings.ToArray(), actual.Interactions.Ratings.ToArray());
        Assert.Equal(expected.Interactions.Timestamps.ToArray(), actual.Interactions.Timestamps.ToArray());
        Assert.Equal(1, actual.Report.DuplicatesCollapsed);
        Assert.Equal("Mug", actual.GetItemInfo(actual.Items.GetIndex("SKU-2"))!.Title); // the last row's description
        Assert.Null(actual.GetItemInfo(actual.Items.GetIndex("SKU-1")));
    }

    [SkippableFact]
    public async Task Integer_id_columns_give_integer_maps()
    {
        await SetUpAsync();
        await using var reader = await QueryAsync("select n as customer, n * 10 as sku from events");
        var builder = new InteractionDatasetBuilder();

        await builder.AddRowsAsync(reader, new InteractionColumns("customer", "sku"));
        var dataset = builder.Build();

        Assert.True(dataset.Users.IsNumeric);
        Assert.Equal([10L, 20L, 30L], dataset.Items.Ids.Select(long.Parse));
    }

    [SkippableFact]
    public async Task A_misnamed_column_is_one_error_listing_the_columns_of_the_query()
    {
        await SetUpAsync();
        await using var reader = await QueryAsync("select customer, sku as product, stars, ordered_at, title from events");
        var builder = DatasetAssert.OneEvent();

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => builder.AddRowsAsync(reader, Columns));

        Assert.Contains("no item column \"sku\": the columns are \"customer\", \"product\", \"stars\", \"ordered_at\", \"title\"", error.Message, StringComparison.Ordinal);
        DatasetAssert.Unchanged(builder);
    }

    [SkippableFact]
    public async Task A_null_id_is_named_by_its_row_and_nothing_of_the_query_is_added()
    {
        await SetUpAsync();
        await ExecuteAsync("update events set customer = null where n = 3");
        await using var reader = await QueryAsync("select customer, sku, stars, ordered_at, title from events order by n");
        var builder = DatasetAssert.OneEvent();

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => builder.AddRowsAsync(reader, Columns));

        Assert.Equal(3, error.LineNumber);
        Assert.Contains(", row 3: the user id is null (column \"customer\"): \"customer=NULL, sku=SKU-2", error.Message, StringComparison.Ordinal);
        DatasetAssert.Unchanged(builder);
    }

    [SkippableFact]
    public async Task A_query_without_rows_says_so()
    {
        await SetUpAsync();
        await using var reader = await QueryAsync("select customer, sku, stars, ordered_at, title from events where n > 100");
        var builder = DatasetAssert.OneEvent();

        var error = await Assert.ThrowsAsync<DatasetFormatException>(() => builder.AddRowsAsync(reader, Columns));

        Assert.Contains("no rows", error.Message, StringComparison.Ordinal);
        DatasetAssert.Unchanged(builder);
    }

    [SkippableFact]
    public async Task A_read_that_fails_part_way_names_the_row_and_adds_nothing()
    {
        await SetUpAsync();
        await using var reader = await QueryAsync($"select customer, sku, stars, ordered_at, title, {FailsOnThirdRow} as boom from events");
        var builder = DatasetAssert.OneEvent();

        var error = await Assert.ThrowsAsync<IOException>(() => builder.AddRowsAsync(reader, Columns));

        Assert.Contains("reading row 3 failed", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<DbException>(error.InnerException);
        DatasetAssert.Unchanged(builder);
    }

    protected async Task ExecuteAsync(string sql)
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    private async Task<DbDataReader> QueryAsync(string sql)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteReaderAsync();
    }

    private async Task InsertAsync(string customer, string sku, float stars, DateTimeOffset orderedAt, string? title, int n)
    {
        await using var command = Connection.CreateCommand();
        command.CommandText = "insert into events values (@customer, @sku, @stars, @ordered_at, @title, @n)";
        foreach (var (name, value) in new (string, object?)[] { ("customer", customer), ("sku", sku), ("stars", stars), ("ordered_at", orderedAt), ("title", title), ("n", n) })
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        await command.ExecuteNonQueryAsync();
    }
}

/// <summary>SQLite through Microsoft.Data.Sqlite, in memory: nothing to start.</summary>
public sealed class SqliteSourceTests : DatabaseSourceTests
{
    protected override string TimeType => "text";

    // abs() of the smallest integer overflows: SQLite raises the error while stepping to that row (the table is read in
    // insertion order, n = 1, 2, 3).
    protected override string FailsOnThirdRow => "abs(-9223372036854775805 - n)";

    protected override async Task<DbConnection> OpenAsync()
    {
        var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        return connection;
    }
}

/// <summary>
/// PostgreSQL through Npgsql, in a schema of its own in the database that GRAPHREC_TEST_POSTGRES names (.ci/run starts
/// the cluster and sets it). Skipped without it outside CI; in CI (CI=true) a missing or unreachable database fails.
/// </summary>
public sealed class PostgresSourceTests : DatabaseSourceTests
{
    private readonly string _schema = "graphrec_" + Guid.NewGuid().ToString("N")[..12];

    protected override string TimeType => "timestamptz";

    // The server ends this very connection while sending the rows (right after row 2): the connection drops mid-read.
    protected override string FailsOnThirdRow => "case when n = 2 then pg_terminate_backend(pg_backend_pid()) else false end";

    protected override async Task<DbConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(PostgresTestDatabase.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"create schema {_schema}; set search_path to {_schema}", connection);
        await command.ExecuteNonQueryAsync();
        return connection;
    }

    public override async Task DisposeAsync()
    {
        if (Connection is null)
        {
            return;
        }

        // The drop runs on a connection of its own: a test may have ended the first one.
        await using (var connection = new NpgsqlConnection(PostgresTestDatabase.ConnectionString()))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"drop schema if exists {_schema} cascade", connection);
            await command.ExecuteNonQueryAsync();
        }

        await base.DisposeAsync();
    }
}
