using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GraphRec.Core;
using GraphRec.Data;
using GraphRec.Samples;
using GraphRec.Tests;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace GraphRec.Server.Tests;

/// <summary>
/// The production loop end to end, on real databases: the server serves a model trained on a table of events with
/// text ids; events of a new customer and a new SKU are inserted; POST /retrain; the server then recommends for the
/// new customer by its id and can return the new SKU, and no request of clients reading all along fails.
/// </summary>
public sealed class RetrainingServerTests : IDisposable
{
    private readonly ModelFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public Task On_sqlite_a_new_customer_and_a_new_sku_are_served_after_a_retrain_with_no_failed_request() =>
        RunAsync("sqlite", $"Data Source={Path.Combine(_files.Folder, "shop.db")}", "events");

    [SkippableFact]
    public Task On_postgresql_a_new_customer_and_a_new_sku_are_served_after_a_retrain_with_no_failed_request() =>
        RunAsync("postgres", PostgresTestDatabase.ConnectionString(), $"retrain_events_{Guid.NewGuid():N}");

    private static DbConnection Connect(string provider, string connection) =>
        provider == "sqlite" ? new SqliteConnection(connection) : new NpgsqlConnection(connection);

    private static async Task ExecuteAsync(DbConnection connection, string sql, params (string Customer, string Sku)[] rows)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (rows.Length == 0)
        {
            await command.ExecuteNonQueryAsync();
            return;
        }

        var customer = command.CreateParameter();
        customer.ParameterName = "customer";
        var sku = command.CreateParameter();
        sku.ParameterName = "sku";
        command.Parameters.Add(customer);
        command.Parameters.Add(sku);
        foreach (var row in rows)
        {
            (customer.Value, sku.Value) = row;
            await command.ExecuteNonQueryAsync();
        }
    }

    private async Task RunAsync(string provider, string connectionString, string table)
    {
        await using var connection = Connect(provider, connectionString);
        await connection.OpenAsync();
        string insert = $"insert into {table} (customer, sku) values (@customer, @sku)";
        await ExecuteAsync(connection, $"create table {table} (customer text not null, sku text not null)");
        try
        {
            // The planted dataset's events with text ids: customers cust-1 .. cust-40, SKUs SKU-100 .. SKU-129.
            var planted = ModelFiles.Dataset();
            var rows = Enumerable.Range(0, planted.Users.Count)
                .SelectMany(u => planted.Interactions.ItemsOf(u).ToArray().Select(i => ($"cust-{planted.Users.GetId(u)}", $"SKU-{planted.Items.GetId(i)}")))
                .ToArray();
            await ExecuteAsync(connection, insert, rows);
            var events = new DatabaseEvents(provider, connectionString, $"select customer, sku from {table}", new InteractionColumns("customer", "sku"));
            var dataset = await events.LoadAsync();
            string modelPath = Path.Combine(_files.Folder, "model.graphrec");
            using (var model = LightGcn.Train(dataset, dataset.Split(Splitters.RandomHoldout(0.2, seed: 1)),
                new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Epochs = 3, BatchSize = 64 }))
            {
                await model.SaveAsync(modelPath);
            }

            await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host => host
                .UseSetting("GraphRec:ModelPath", modelPath)
                .UseSetting("GraphRec:Events:Provider", provider)
                .UseSetting("GraphRec:Events:Connection", connectionString)
                .UseSetting("GraphRec:Events:Query", $"select customer, sku from {table}")
                .UseSetting("GraphRec:Events:UserColumn", "customer")
                .UseSetting("GraphRec:Events:ItemColumn", "sku")
                .UseSetting("GraphRec:Retraining:LightGcn:EmbeddingDimension", "8")
                .UseSetting("GraphRec:Retraining:LightGcn:Layers", "2")
                .UseSetting("GraphRec:Retraining:LightGcn:Epochs", "3")
                .UseSetting("GraphRec:Retraining:LightGcn:BatchSize", "64"));
            using var client = factory.CreateClient();
            using (var unknown = await client.GetAsync(new Uri("/users/cust-new/recommendations", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            }

            // Clients read all along, before, during and after the switch to the retrained model.
            using var stop = new CancellationTokenSource();
            int requests = 0;
            var failures = new List<string>();
            var readers = Enumerable.Range(1, 4).Select(reader => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    using var response = await client.GetAsync(new Uri($"/users/cust-{reader}/recommendations?count=5", UriKind.Relative));
                    Interlocked.Increment(ref requests);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        string failure = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                        lock (failures)
                        {
                            failures.Add(failure);
                        }
                    }
                }
            })).ToArray();

            // A new customer who buys the first taste group's SKUs and a new SKU that ten customers buy too.
            await ExecuteAsync(connection, insert,
                [.. new[] { "SKU-100", "SKU-101", "SKU-102", "SKU-103", "SKU-new" }.Select(sku => ("cust-new", sku)),
                 .. Enumerable.Range(1, 10).Select(u => ($"cust-{u}", "SKU-new"))]);
            using (var retrain = await client.PostAsync(new Uri("/retrain", UriKind.Relative), null))
            {
                Assert.True(retrain.StatusCode == HttpStatusCode.OK, await retrain.Content.ReadAsStringAsync());
            }

            var forNew = await client.GetFromJsonAsync<JsonElement>(new Uri("/users/cust-new/recommendations?count=5", UriKind.Relative));
            Assert.Equal(5, forNew.GetProperty("items").GetArrayLength());
            var forOld = await client.GetFromJsonAsync<JsonElement>(new Uri("/users/cust-30/recommendations?count=31", UriKind.Relative));
            Assert.Contains(forOld.GetProperty("items").EnumerateArray(), item => item.GetProperty("itemId").GetString() == "SKU-new");
            using (var similar = await client.GetAsync(new Uri("/items/SKU-new/similar?count=3", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.OK, similar.StatusCode);
            }

            await Task.Delay(200);
            await stop.CancelAsync();
            await Task.WhenAll(readers);
            Assert.True(requests > 10, $"only {requests} requests ran during the test");
            Assert.True(failures.Count == 0, $"{failures.Count} of {requests} requests failed: {string.Join("; ", failures.Take(3))}");
        }
        finally
        {
            await ExecuteAsync(connection, $"drop table {table}");
        }
    }
}
