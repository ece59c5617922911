using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using GraphRec.Data;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace GraphRec.Benchmarks;

/// <summary>One read of one source into a dataset, measured in its own process.</summary>
/// <remarks>CPU seconds (the process's, all threads) beside wall seconds: on a machine shared with other work the wall
/// time also counts the waits for a core.</remarks>
internal sealed record IngestRun(string Source, double Seconds, double CpuSeconds, double PeakWorkingSetMb, int Users, int Items, int Interactions);

/// <summary>What the ingest benchmark measured: every run, and per source the median seconds and peak working set.</summary>
internal sealed record IngestReport(string Machine, long Events, int Runs, IReadOnlyList<IngestRun> Measured, IReadOnlyList<IngestSummary> Sources);

/// <summary>A source's runs summarized.</summary>
internal sealed record IngestSummary(
    string Source, double MedianSeconds, double MinSeconds, double MaxSeconds, double MedianCpuSeconds, double MedianPeakWorkingSetMb, int Users, int Items, int Interactions);

/// <summary>
/// Reads the same synthetic events (a Gowalla-shaped graph from <see cref="SyntheticGraph"/>, with string ids such as
/// <c>cust-001234</c> and <c>SKU-004211</c>, a rating and a time) into an <see cref="InteractionDataset"/> through
/// <see cref="InteractionDatasetBuilder"/> from a CSV file, a SQLite database and a PostgreSQL table, next to the
/// edge-list reader (<see cref="EdgeListProvider"/>) on the same events with integer ids. The sources are written
/// once into a scratch folder (and a PostgreSQL table) and reused by later runs; every read runs in a child process so
/// that its peak working set is its own.
/// </summary>
internal static class IngestBenchmark
{
    public static readonly string[] Sources = ["edgelist", "csv", "sqlite", "postgres"];
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly InteractionColumns Columns = new("customer", "sku") { Rating = "stars", Timestamp = "ordered_at" };

    public static async Task<int> RunAsync(string workDirectory, long events, int runs, string? postgres, string output, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(postgres))
        {
            Console.Error.WriteLine("The PostgreSQL source needs a connection string: --postgres \"Host=...\" or GRAPHREC_TEST_POSTGRES (.ci/postgres.sh sets it).");
            return 2;
        }

        string folder = SourceFolder(workDirectory, events);
        await GenerateAsync(folder, events, postgres, cancellationToken);

        var measured = new List<IngestRun>();
        for (int run = 1; run <= runs; run++)
        {
            foreach (string source in Sources)
            {
                string[] arguments = [.. LoadingBenchmark.ChildArguments(), "ingest-one", "--source", source, "--folder", workDirectory,
                    "--events", events.ToString(CultureInfo.InvariantCulture), "--postgres", postgres];
                using var child = Process.Start(new ProcessStartInfo(Environment.ProcessPath!, arguments) { RedirectStandardOutput = true })!;
                string text = await child.StandardOutput.ReadToEndAsync(cancellationToken);
                await child.WaitForExitAsync(cancellationToken);
                string? line = text.Split('\n').LastOrDefault(l => l.StartsWith('{'));
                if (child.ExitCode != 0 || line is null)
                {
                    Console.Error.WriteLine($"{source}, run {run}: the child process failed (exit {child.ExitCode}).");
                    Console.Error.WriteLine(text);
                    return child.ExitCode == 0 ? 1 : child.ExitCode;
                }

                var measurement = JsonSerializer.Deserialize<IngestRun>(line, Json)!;
                measured.Add(measurement);
                Console.WriteLine($"run {run} {source,-9} {measurement.Seconds,7:F2} s ({measurement.CpuSeconds:F2} s CPU), peak {measurement.PeakWorkingSetMb,6:F0} MB " +
                    $"({measurement.Users:N0} users, {measurement.Items:N0} items, {measurement.Interactions:N0} interactions)");
            }
        }

        var summaries = Sources.Select(source => Summarize(source, [.. measured.Where(m => m.Source == source)])).ToList();
        Console.WriteLine();
        Console.WriteLine($"{events:N0} events, {runs} runs each (median, min-max):");
        Console.WriteLine("| Source | Seconds | CPU seconds | Peak working set (MB) |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var summary in summaries)
        {
            Console.WriteLine($"| {summary.Source} | {summary.MedianSeconds:F1} ({summary.MinSeconds:F1}-{summary.MaxSeconds:F1}) | {summary.MedianCpuSeconds:F1} | {summary.MedianPeakWorkingSetMb:F0} |");
        }

        await Report.WriteAsync(output, new IngestReport(Machine.Describe(), events, runs, measured, summaries), cancellationToken);
        return 0;
    }

    /// <summary>The child's side: read one source into a dataset and print the figures as one JSON line.</summary>
    public static async Task<int> MeasureOneAsync(string source, string workDirectory, long events, string postgres, CancellationToken cancellationToken)
    {
        string folder = SourceFolder(workDirectory, events);
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        InteractionDataset dataset;
        if (source == "edgelist")
        {
            dataset = await EdgeListProvider.FromFolder(Path.Combine(folder, "edgelist")).LoadAsync(cancellationToken);
        }
        else
        {
            var builder = new InteractionDatasetBuilder("ingest");
            switch (source)
            {
                case "csv":
                    await builder.AddDelimitedFileAsync(Path.Combine(folder, "events.csv"), Columns, cancellationToken);
                    break;
                case "sqlite":
                    await using (var connection = new SqliteConnection(SqliteConnectionString(folder, SqliteOpenMode.ReadOnly)))
                    {
                        await connection.OpenAsync(cancellationToken);
                        await ReadAsync(builder, connection, events, cancellationToken);
                    }

                    break;
                case "postgres":
                    await using (var connection = new NpgsqlConnection(postgres))
                    {
                        await connection.OpenAsync(cancellationToken);
                        await ReadAsync(builder, connection, events, cancellationToken);
                    }

                    break;
                default:
                    throw new ArgumentException($"Unknown source \"{source}\"; the sources are {string.Join(", ", Sources)}.", nameof(source));
            }

            dataset = builder.Build();
        }

        double seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        double cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        var run = new IngestRun(source, seconds, cpuSeconds, Machine.PeakWorkingSetMegabytes(), dataset.Users.Count, dataset.Items.Count, dataset.Interactions.Count);
        Console.WriteLine(JsonSerializer.Serialize(run, Json));
        return 0;
    }

    /// <summary>The events table of a size (one per size, so that sizes do not overwrite each other's in PostgreSQL).</summary>
    private static string Table(long events) => string.Create(CultureInfo.InvariantCulture, $"graphrec_ingest_events_{events}");

    private static async Task ReadAsync(InteractionDatasetBuilder builder, System.Data.Common.DbConnection connection, long events, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"select customer, sku, stars, ordered_at from {Table(events)}";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await builder.AddRowsAsync(reader, Columns, cancellationToken);
    }

    private static IngestSummary Summarize(string source, IReadOnlyList<IngestRun> runs)
    {
        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        }

        return new IngestSummary(source, Median(runs.Select(r => r.Seconds)), runs.Min(r => r.Seconds), runs.Max(r => r.Seconds),
            Median(runs.Select(r => r.CpuSeconds)), Median(runs.Select(r => r.PeakWorkingSetMb)), runs[0].Users, runs[0].Items, runs[0].Interactions);
    }

    private static string SourceFolder(string workDirectory, long events) =>
        Path.Combine(workDirectory, string.Create(CultureInfo.InvariantCulture, $"ingest-{events}"));

    private static string SqliteConnectionString(string folder, SqliteOpenMode mode) =>
        new SqliteConnectionStringBuilder { DataSource = Path.Combine(folder, "events.db"), Mode = mode, Pooling = false }.ToString();

    /// <summary>One event of the synthetic set: string ids from the integer ones, a rating and a time.</summary>
    private readonly record struct Event(int User, int Item, float Rating, DateTime Time)
    {
        public string Customer => string.Create(CultureInfo.InvariantCulture, $"cust-{User:D6}");

        public string Sku => string.Create(CultureInfo.InvariantCulture, $"SKU-{Item:D6}");
    }

    /// <summary>The events in a fixed order (the graph's users in turn), the same for every source.</summary>
    private static IEnumerable<Event> Events(Interactions graph)
    {
        var random = new Random(3);
        var epoch = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        for (int user = 0; user < graph.UserCount; user++)
        {
            // Indexed, not a span held across yield.
            for (int k = graph.RowPointers[user]; k < graph.RowPointers[user + 1]; k++)
            {
                yield return new Event(user, graph.Items[k], 1 + random.Next(5), epoch.AddSeconds(random.Next(365 * 24 * 3600)));
            }
        }
    }

    /// <summary>Writes each source that is not there yet (a marker file per source says it was written whole).</summary>
    private static async Task GenerateAsync(string folder, long events, string postgres, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        string table = Table(events);
        Interactions? graph = null;
        Interactions Graph() => graph ??= SyntheticGraph.Generate(events, seed: 49);

        await WriteOnceAsync(folder, "edgelist", () =>
        {
            // The same events with integer ids, in the paper's format: one line per user, every event in train.txt
            // (the reader needs a test file that is not empty: it lists the first user with no items).
            string edgeFolder = Path.Combine(folder, "edgelist");
            Directory.CreateDirectory(edgeFolder);
            using var writer = new StreamWriter(Path.Combine(edgeFolder, "train.txt"), false, new UTF8Encoding(false), 1 << 20);
            var g = Graph();
            for (int user = 0; user < g.UserCount; user++)
            {
                writer.Write(user.ToString(CultureInfo.InvariantCulture));
                foreach (int item in g.ItemsOf(user))
                {
                    writer.Write(' ');
                    writer.Write(item.ToString(CultureInfo.InvariantCulture));
                }

                writer.Write('\n');
            }

            File.WriteAllText(Path.Combine(edgeFolder, "test.txt"), "0\n");
            return Task.CompletedTask;
        });

        await WriteOnceAsync(folder, "csv", () =>
        {
            using var writer = new StreamWriter(Path.Combine(folder, "events.csv"), false, new UTF8Encoding(false), 1 << 20);
            writer.Write("customer,sku,stars,ordered_at\n");
            foreach (var e in Events(Graph()))
            {
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{e.Customer},{e.Sku},{e.Rating},{e.Time:yyyy-MM-ddTHH:mm:ssZ}\n"));
            }

            return Task.CompletedTask;
        });

        await WriteOnceAsync(folder, "sqlite", async () =>
        {
            File.Delete(Path.Combine(folder, "events.db"));
            await using var connection = new SqliteConnection(SqliteConnectionString(folder, SqliteOpenMode.ReadWriteCreate));
            await connection.OpenAsync(cancellationToken);
            await using (var setup = connection.CreateCommand())
            {
                // SQLite has no time type: the time is whole seconds since the Unix epoch, as such tables usually keep it.
                setup.CommandText = $"pragma journal_mode = off; pragma synchronous = off; create table {table} (customer text not null, sku text not null, stars real, ordered_at integer);";
                await setup.ExecuteNonQueryAsync(cancellationToken);
            }

            await using var transaction = connection.BeginTransaction();
            await using var insert = connection.CreateCommand();
            insert.CommandText = $"insert into {table} values ($customer, $sku, $stars, $ordered_at)";
            var customer = insert.Parameters.Add("$customer", SqliteType.Text);
            var sku = insert.Parameters.Add("$sku", SqliteType.Text);
            var stars = insert.Parameters.Add("$stars", SqliteType.Real);
            var orderedAt = insert.Parameters.Add("$ordered_at", SqliteType.Integer);
            insert.Prepare();
            foreach (var e in Events(Graph()))
            {
                customer.Value = e.Customer;
                sku.Value = e.Sku;
                stars.Value = e.Rating;
                orderedAt.Value = new DateTimeOffset(e.Time).ToUnixTimeSeconds();
                insert.ExecuteNonQuery();
            }

            await transaction.CommitAsync(cancellationToken);
        });

        // The PostgreSQL table is outside the folder: its marker names the database it was written to.
        var target = new NpgsqlConnectionStringBuilder(postgres);
        await WriteOnceAsync(folder, string.Create(CultureInfo.InvariantCulture, $"postgres-{target.Host}-{target.Port}-{target.Database}"), async () =>
        {
            await using var connection = new NpgsqlConnection(postgres);
            await connection.OpenAsync(cancellationToken);
            await using (var setup = connection.CreateCommand())
            {
                setup.CommandText = $"drop table if exists {table}; create table {table} (customer text not null, sku text not null, stars real, ordered_at timestamptz);";
                await setup.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var copy = await connection.BeginBinaryImportAsync($"copy {table} (customer, sku, stars, ordered_at) from stdin (format binary)", cancellationToken))
            {
                foreach (var e in Events(Graph()))
                {
                    await copy.StartRowAsync(cancellationToken);
                    await copy.WriteAsync(e.Customer, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(e.Sku, NpgsqlDbType.Text, cancellationToken);
                    await copy.WriteAsync(e.Rating, NpgsqlDbType.Real, cancellationToken);
                    await copy.WriteAsync(e.Time, NpgsqlDbType.TimestampTz, cancellationToken);
                }

                await copy.CompleteAsync(cancellationToken);
            }

            await using var analyze = connection.CreateCommand();
            analyze.CommandText = $"analyze {table}";
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        });
    }

    private static async Task WriteOnceAsync(string folder, string source, Func<Task> write)
    {
        string marker = Path.Combine(folder, source + ".written");
        if (File.Exists(marker))
        {
            return;
        }

        var clock = Stopwatch.StartNew();
        await write();
        await File.WriteAllTextAsync(marker, DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        Console.WriteLine($"wrote the {source} source in {clock.Elapsed.TotalSeconds:F0} s");
    }
}
