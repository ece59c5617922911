using System.Diagnostics;
using GraphRec.Core;
using GraphRec.Data;
using GraphRec.Metrics;

namespace GraphRec.Sample;

/// <summary>
/// <c>newusers</c>: how well each model recommends for users it has never seen. A share of the users is held out
/// whole; the models are fitted on the rest; each held-out user brings the first half of its items (by time where
/// there are timestamps) and is scored on finding the second half, next to most-popular.
/// </summary>
internal static class NewUsersCommand
{
    public static async Task<int> RunAsync(
        DataSettings data, int seed, double userShare, string models, int epochs, int threads, int[] cutoffs, CancellationToken cancellationToken)
    {
        threads = Threads.Apply(threads);
        var dataset = await ConsoleUi.WithDownloadProgressAsync(download => Datasets.LoadAsync(data, download, cancellationToken)).ConfigureAwait(false);
        var split = dataset.SplitNewUsers(userShare, 0.5, seed);
        Console.WriteLine($"{dataset.Name}: {split.NewUsers:N0} of {dataset.Users.Count:N0} users held out whole ({userShare:P0} of those with 2 or more interactions); " +
            $"they bring {split.Given.Count:N0} interactions (the first half{(dataset.Interactions.HasTimestamps ? " by time" : ", at random: no timestamps")}) " +
            $"and hide {split.Hidden.Count:N0} ({split.DroppedHidden:N0} more dropped: item not in train); train {split.Train.Count:N0}");

        // The models fit the other users only; the held-out part of this split is never used to fit anything.
        var fit = new DatasetSplit(split.Train, null, split.Hidden, 0);
        var systems = new List<(string Name, RankingEvaluation Result)>();
        if (models is "all" or "lightgcn")
        {
            var options = new LightGcnOptions { Seed = seed, Epochs = epochs, Threads = threads, Cutoffs = [.. cutoffs], ValidationMetric = MetricNames.Key(MetricNames.Recall, cutoffs[^1]) };
            var clock = Stopwatch.StartNew();
            using var lightGcn = await ConsoleUi.WithTrainingProgressAsync(epochs,
                progress => Task.Run(() => LightGcn.Train(dataset, fit, options, progress: progress, cancellationToken: cancellationToken), cancellationToken)).ConfigureAwait(false);
            Console.WriteLine($"LightGCN: {epochs} epochs in {clock.Elapsed.TotalSeconds:F1} s");
            systems.Add(("LightGCN (fold-in)", lightGcn.EvaluateNewUsers(split.Given, split.Hidden, cutoffs, cancellationToken: cancellationToken)));
        }

        if (models is "all" or "gf-cf")
        {
            var clock = Stopwatch.StartNew();
            using var filter = SpectralFilter.Fit(dataset, fit, new SpectralFilterOptions { Seed = seed, Cutoffs = [.. cutoffs] }, cancellationToken: cancellationToken);
            Console.WriteLine($"GF-CF: fitted in {clock.Elapsed.TotalSeconds:F1} s");
            systems.Add(("GF-CF", filter.EvaluateNewUsers(split.Given, split.Hidden, cutoffs, cancellationToken: cancellationToken)));
        }

        systems.Add(("MostPopular", Recommenders.EvaluateMostPopular(split.Train, split.Hidden, [split.Given], cutoffs, cancellationToken: cancellationToken)));
        Console.WriteLine();
        Console.WriteLine($"new users ({systems[0].Result.Users.Count:N0} with hidden items; each ranked every item but those it brought; ± is the 95% interval):");
        ConsoleUi.MetricsTable(systems, cutoffs);
        return 0;
    }
}
