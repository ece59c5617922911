using System.Diagnostics;
using System.Globalization;
using System.Text;
using GraphRec.Core;
using GraphRec.Tests;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace GraphRec.Sample.Tests;

/// <summary>
/// <c>train --dataset csv</c> and <c>train --dataset sql</c>, the sample started as its own process as a user starts
/// it: events with one's own column names in, the normal model file out, which the other commands then use.
/// </summary>
public sealed class OwnDataTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-own-data-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>60 customers, 40 products in two taste groups, with ratings and order times.</summary>
    private static IEnumerable<(int Customer, int Sku, int Stars, long OrderedAt)> Orders()
    {
        var random = new Random(3);
        for (int customer = 1; customer <= 60; customer++)
        {
            int first = customer <= 30 ? 1 : 21;
            for (int sku = first; sku < first + 20; sku++)
            {
                if (random.NextDouble() < 0.6)
                {
                    yield return (customer, sku, 1 + random.Next(5), 1_700_000_000 + random.Next(1_000_000));
                }
            }
        }
    }

    [Fact]
    public async Task Train_reads_a_csv_by_the_column_names_given_and_writes_a_model_the_other_commands_use()
    {
        string csv = Path.Combine(_folder, "events.csv");
        await File.WriteAllTextAsync(csv, "ordered_at,sku,stars,customer\n" + string.Concat(Orders().Select(order =>
            string.Create(CultureInfo.InvariantCulture, $"{order.OrderedAt},{order.Sku},{order.Stars},{order.Customer}\n"))));
        string output = Path.Combine(_folder, "out");

        var trained = await RunAsync("train", "--dataset", "csv", "--file", csv, "--user-column", "customer", "--item-column", "sku",
            "--rating-column", "stars", "--time-column", "ordered_at", "--split", "temporal", "--epochs", "2", "--dim", "8", "--k", "5", "--output", output);

        Assert.True(trained.ExitCode == 0, trained.Errors);
        Assert.Contains("60 users", trained.Output, StringComparison.Ordinal);
        await AssertNormalModelAsync(Path.Combine(output, "model.graphrec"), users: 60, items: 40);
        var recommended = await RunAsync("recommend", "--model", Path.Combine(output, "model.graphrec"), "--user", "7", "--k", "3");
        Assert.True(recommended.ExitCode == 0, recommended.Errors);
    }

    [Theory]
    [InlineData("lightgcn")]
    [InlineData("gf-cf")]
    public async Task A_csv_with_string_ids_trains_a_model_that_recommends_by_those_ids(string model)
    {
        string csv = Path.Combine(_folder, "orders.csv");
        await File.WriteAllTextAsync(csv, "customer,sku\n" + string.Concat(Orders().Select(order =>
            string.Create(CultureInfo.InvariantCulture, $"cust-{order.Customer:D2},SKU-{order.Sku:D4}\n"))));
        string output = Path.Combine(_folder, "out");

        var trained = await RunAsync("train", "--dataset", "csv", "--file", csv, "--user-column", "customer", "--item-column", "sku",
            "--model", model, "--rank", "8", "--epochs", "2", "--dim", "8", "--k", "5", "--output", output);
        Assert.True(trained.ExitCode == 0, trained.Errors);
        string path = Path.Combine(output, "model.graphrec");
        var forCustomer = await RunAsync("recommend", "--model", path, "--user", "cust-07", "--k", "3");
        var forVisitor = await RunAsync("recommend", "--model", path, "--items", "SKU-0001,SKU-0002", "--k", "3");

        Assert.True(forCustomer.ExitCode == 0, forCustomer.Errors);
        Assert.True(forVisitor.ExitCode == 0, forVisitor.Errors);
        using var saved = await Recommenders.LoadAsync(path);
        var expected = saved.Recommend("cust-07", 3).Select(r => r.ItemId).ToArray();
        Assert.All(expected, sku => Assert.StartsWith("SKU-", sku, StringComparison.Ordinal));
        Assert.All(expected, sku => Assert.Contains(sku, forCustomer.Output, StringComparison.Ordinal));
        Assert.All(saved.RecommendForItems(["SKU-0001", "SKU-0002"], 3).Items, r => Assert.Contains(r.ItemId, forVisitor.Output, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("lightgcn")]
    [InlineData("gf-cf")]
    public async Task Split_none_trains_on_every_event_so_that_no_customer_is_recommended_an_item_they_already_ordered(string model)
    {
        var orders = Orders().Select(order => (Customer: $"cust-{order.Customer:D2}", Sku: $"SKU-{order.Sku:D4}")).Distinct().ToArray();
        string csv = Path.Combine(_folder, "orders.csv");
        await File.WriteAllTextAsync(csv, "customer,sku\n" + string.Concat(orders.Select(order => $"{order.Customer},{order.Sku}\n")));
        string output = Path.Combine(_folder, "out");

        var trained = await RunAsync("train", "--dataset", "csv", "--file", csv, "--user-column", "customer", "--item-column", "sku",
            "--split", "none", "--model", model, "--rank", "8", "--epochs", "2", "--dim", "8", "--k", "5", "--output", output);

        Assert.True(trained.ExitCode == 0, trained.Errors);
        Assert.Contains("nothing is held out", trained.Output, StringComparison.Ordinal);
        MetricsSchema.AssertMatches(Path.Combine(output, "metrics.json"));
        using var saved = await Recommenders.LoadAsync(Path.Combine(output, "model.graphrec"));
        Assert.Equal(orders.Length, saved.TrainingInteractions.Count);
        foreach (var customer in orders.GroupBy(order => order.Customer))
        {
            var owned = customer.Select(order => order.Sku).ToHashSet(StringComparer.Ordinal);
            var recommended = saved.Recommend(customer.Key, 40 - owned.Count).Select(r => r.ItemId).ToArray();
            Assert.Equal(40 - owned.Count, recommended.Length);
            Assert.DoesNotContain(recommended, owned.Contains);
        }

        var evaluated = await RunAsync("evaluate", "--model", Path.Combine(output, "model.graphrec"), "--dataset", "csv", "--file", csv,
            "--user-column", "customer", "--item-column", "sku", "--split", "none");
        Assert.NotEqual(0, evaluated.ExitCode);
        Assert.Contains("--split none holds nothing out", evaluated.Errors, StringComparison.Ordinal);
        var onASplit = await RunAsync("evaluate", "--model", Path.Combine(output, "model.graphrec"), "--dataset", "csv", "--file", csv,
            "--user-column", "customer", "--item-column", "sku");
        Assert.NotEqual(0, onASplit.ExitCode);
        Assert.Contains("was trained on every interaction", onASplit.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Train_reads_the_rows_of_a_sqlite_query_and_writes_the_normal_model()
    {
        string database = Path.Combine(_folder, "shop.db");
        await using (var connection = new SqliteConnection($"Data Source={database}"))
        {
            await connection.OpenAsync();
            await using var create = connection.CreateCommand();
            create.CommandText = "create table orders (customer integer, sku integer, stars real, ordered_at integer)";
            await create.ExecuteNonQueryAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            foreach (var order in Orders())
            {
                await using var insert = connection.CreateCommand();
                insert.CommandText = string.Create(CultureInfo.InvariantCulture, $"insert into orders values ({order.Customer}, {order.Sku}, {order.Stars}, {order.OrderedAt})");
                await insert.ExecuteNonQueryAsync();
            }

            await transaction.CommitAsync();
        }

        string output = Path.Combine(_folder, "out");
        var trained = await RunAsync("train", "--dataset", "sql", "--provider", "sqlite", "--connection", $"Data Source={database}",
            "--query", "select customer as user_id, sku as item_id, stars from orders where stars >= 2", "--rating-column", "stars",
            "--epochs", "2", "--dim", "8", "--k", "5", "--output", output);

        Assert.True(trained.ExitCode == 0, trained.Errors);
        await AssertNormalModelAsync(Path.Combine(output, "model.graphrec"), users: 60, items: 40);
    }

    [SkippableFact]
    public async Task Train_reads_the_rows_of_a_postgres_query_and_writes_the_normal_model()
    {
        string connectionString = PostgresTestDatabase.ConnectionString();
        string table = "orders_" + Guid.NewGuid().ToString("N")[..12];
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        string rows = string.Join(", ", Orders().Select(order => string.Create(CultureInfo.InvariantCulture,
            $"({order.Customer}, {order.Sku}, {order.Stars}, to_timestamp({order.OrderedAt}))")));
        await using (var create = new NpgsqlCommand($"create table {table} (customer bigint, sku bigint, stars real, ordered_at timestamptz); insert into {table} values {rows}", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        try
        {
            string output = Path.Combine(_folder, "out");
            var trained = await RunAsync("train", "--dataset", "sql", "--provider", "postgres", "--connection", connectionString,
                "--query", $"select customer, sku, ordered_at from {table}", "--user-column", "customer", "--item-column", "sku", "--time-column", "ordered_at",
                "--split", "temporal", "--epochs", "2", "--dim", "8", "--k", "5", "--output", output);

            Assert.True(trained.ExitCode == 0, trained.Errors);
            await AssertNormalModelAsync(Path.Combine(output, "model.graphrec"), users: 60, items: 40);
        }
        finally
        {
            await using var drop = new NpgsqlCommand($"drop table {table}", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }

    [Fact]
    public async Task A_misnamed_column_ends_the_run_with_one_message_naming_it_and_the_columns_there()
    {
        string csv = Path.Combine(_folder, "events.csv");
        await File.WriteAllTextAsync(csv, "customer,product\n1,2\n");

        var run = await RunAsync("train", "--dataset", "csv", "--file", csv, "--user-column", "customer", "--item-column", "sku", "--output", Path.Combine(_folder, "out"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no item column \"sku\": the columns are \"customer\", \"product\"", run.Errors, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_sql_dataset_asks_for_what_it_lacks()
    {
        var run = await RunAsync("train", "--dataset", "sql", "--provider", "sqlite", "--query", "select 1");

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("--dataset sql needs --provider sqlite|postgres, --connection", run.Errors + run.Output, StringComparison.Ordinal);
    }

    private static async Task AssertNormalModelAsync(string path, int users, int items)
    {
        using var model = await LightGcn.LoadAsync(path);
        Assert.Equal(users, model.Users.Count);
        Assert.Equal(items, model.Items.Count);
    }

    private static async Task<(int ExitCode, string Output, string Errors)> RunAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo(ResumeTests.DotnetHost(), [Path.Combine(AppContext.BaseDirectory, "graphrec-sample.dll"), .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
        };
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var errors = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await output, await errors);
    }
}
