using GraphRec.Core;
using GraphRec.Data;
using GraphRec.Metrics;
using Spectre.Console;

namespace GraphRec.Sample;

/// <summary>What the person at the terminal sees: live progress bars on a terminal, plain lines otherwise (CI, logs).</summary>
/// <remarks>
/// Spectre.Console reads strings as markup, where <c>[bold]</c> is a style and an unknown <c>[director cut]</c> an
/// exception. Every text given to it here is a <see cref="Text"/>, which is never parsed, or escaped where only a
/// string is taken (task descriptions): titles, genres, occupations, paths and ids come from the data and the
/// command line.
/// </remarks>
internal static class ConsoleUi
{
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="work"/> with training progress: a live bar, or one line per epoch.</summary>
    public static async Task<T> WithTrainingProgressAsync<T>(int epochs, Func<IProgress<TrainingProgress>, Task<T>> work)
    {
        if (!Interactive)
        {
            return await work(new Inline(p =>
            {
                if (p.Batch == p.Batches)
                {
                    Console.WriteLine($"epoch {p.Epoch,3}/{p.Epochs}: loss {p.Loss:F4}, {p.TriplesPerSecond:N0} triples/s");
                }
            })).ConfigureAwait(false);
        }

        T result = default!;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("training", maxValue: epochs);
                result = await work(new Inline(p =>
                {
                    task.Value = p.Epoch - 1 + ((double)p.Batch / p.Batches);
                    task.Description = Markup.Escape($"epoch {p.Epoch}/{p.Epochs} batch {p.Batch}/{p.Batches} loss {p.Loss:F4} {p.TriplesPerSecond:N0}/s");
                })).ConfigureAwait(false);
                task.Value = task.MaxValue;
            }).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Runs <paramref name="work"/> (a dataset load) with download progress: a live bar on a terminal, shown only if a
    /// download starts, else a line per 10%.
    /// </summary>
    public static async Task<T> WithDownloadProgressAsync<T>(Func<IProgress<DownloadProgress>, Task<T>> work)
    {
        if (!Interactive)
        {
            int lastTenth = -1;
            return await work(new Inline<DownloadProgress>(p =>
            {
                int tenth = p.TotalBytes is long total && total > 0 ? (int)(10 * p.BytesReceived / total) : -1;
                if (tenth != lastTenth)
                {
                    lastTenth = tenth;
                    Console.WriteLine($"downloading {p.FileName}: {p.BytesReceived / 1024.0 / 1024.0:F1} MB" + (tenth >= 0 ? $" ({10 * tenth}%)" : ""));
                }
            })).ConfigureAwait(false);
        }

        T result = default!;
        await AnsiConsole.Progress().AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async context =>
            {
                ProgressTask? task = null;
                result = await work(new Inline<DownloadProgress>(p =>
                {
                    task ??= context.AddTask(Markup.Escape($"downloading {p.FileName}"), maxValue: p.TotalBytes ?? 1);
                    task.IsIndeterminate = p.TotalBytes is null;
                    task.Value = p.TotalBytes is null ? 0 : p.BytesReceived;
                })).ConfigureAwait(false);
                task?.StopTask();
            }).ConfigureAwait(false);
        return result;
    }

    public static void Summary(InteractionDataset dataset, DatasetSplit split, string splitName)
    {
        double density = (double)dataset.Interactions.Count / ((double)dataset.Users.Count * dataset.Items.Count);
        Console.WriteLine($"{dataset.Name}: {dataset.Users.Count:N0} users, {dataset.Items.Count:N0} items, {dataset.Interactions.Count:N0} interactions (density {density:P2})");
        Console.WriteLine($"split {splitName}: train {split.Train.Count:N0}, validation {split.Validation?.Count ?? 0:N0}, test {split.Test.Count:N0}; " +
            $"{split.DroppedHeldOut:N0} held-out interactions dropped (user or item not in train)");
    }

    /// <summary>Metrics at each K with 95% intervals, one column per system, then whether LightGCN's lead is significant.</summary>
    /// <summary>Who was evaluated: every test user, or a sample of how many of how many, so that nobody takes its figures for the full evaluation's.</summary>
    public static string EvaluatedUsers(RankingEvaluation result, EvaluationSample? sample) =>
        result.SampledFrom is int all
            ? $"SAMPLED: {result.Users.Count:N0} of the {all:N0} test users, drawn at random with seed {sample?.Seed}; each figure estimates the full evaluation's, within its interval"
            : $"{result.Users.Count:N0} users";

    public static void MetricsTable(IReadOnlyList<(string Name, RankingEvaluation Result)> systems, IReadOnlyList<int> cutoffs)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumn(new TableColumn(new Text("metric")));
        foreach (var (name, _) in systems)
        {
            table.AddColumn(new TableColumn(new Text(name)).RightAligned());
        }

        foreach (int k in cutoffs)
        {
            foreach (var metric in MetricNames.PerUser)
            {
                string key = MetricNames.Key(metric, k);
                AddRow(table, [key, .. systems.Select(s => $"{s.Result.Summaries[key].Mean:F4} ± {s.Result.Summaries[key].Upper - s.Result.Summaries[key].Mean:F4}")]);
            }

            string coverage = MetricNames.Key(MetricNames.Coverage, k);
            AddRow(table, [coverage, .. systems.Select(s => $"{s.Result.Coverage[coverage]:F4}")]);
        }

        AnsiConsole.Write(table);
        int last = cutoffs[^1];
        int users = systems[0].Result.Users.Count;
        if (systems.Count > 1 && users < 2)
        {
            Console.WriteLine($"no significance tests: they need at least 2 test users, and there {(users == 1 ? "is 1" : $"are {users}")}.");
            return;
        }

        foreach (var (name, result) in systems.Skip(1))
        {
            var comparison = systems[0].Result.CompareWith(result, MetricNames.Ndcg, last);
            Console.WriteLine($"{systems[0].Name} vs {name}, ndcg@{last}: {comparison.MeanDifference:+0.0000;-0.0000} " +
                $"(paired t p = {comparison.TTestPValue:G3}, Wilcoxon p = {comparison.WilcoxonPValue:G3}): " +
                (comparison.IsSignificant() ? "significant" : "not significant") + " at 5%");
        }
    }

    public static void Items(string title, IEnumerable<Recommendation> items)
    {
        // The title above the table, not as its title, which is cut at the table's width: it may hold a command to copy.
        AnsiConsole.Write(new Text(title));
        AnsiConsole.WriteLine();
        var table = new Table().Border(TableBorder.Simple);
        foreach (string column in new[] { "id", "title", "year", "genres" })
        {
            table.AddColumn(new TableColumn(new Text(column)));
        }

        table.AddColumn(new TableColumn(new Text("score")).RightAligned());
        foreach (var item in items)
        {
            AddRow(table, [
                item.ItemId, item.Info?.Title ?? "-", item.Info?.Year?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
                string.Join(", ", item.Info?.Genres ?? []), float.IsNaN(item.Score) ? "" : item.Score.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)]);
        }

        AnsiConsole.Write(table);
    }

    /// <summary>A row of plain texts: never read as markup.</summary>
    private static void AddRow(Table table, IEnumerable<string> cells) => table.AddRow([.. cells.Select(cell => new Text(cell))]);

    /// <summary>Reports on the calling thread, so lines come out in order (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class Inline(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    private sealed class Inline<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
