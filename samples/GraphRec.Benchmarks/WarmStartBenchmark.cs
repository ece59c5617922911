using System.Diagnostics;
using GraphRec.Core;
using GraphRec.Data;

namespace GraphRec.Benchmarks;

/// <summary>One model's run in the warm-start benchmark.</summary>
/// <param name="Epochs">Epochs trained.</param>
/// <param name="TrainingSeconds">Seconds of the epochs themselves (validation excluded).</param>
/// <param name="WallSeconds">Seconds of the whole call, validation included.</param>
/// <param name="BestEpoch">The epoch of the best validation NDCG@20, whose weights the model keeps.</param>
/// <param name="BestValidationNdcg">That NDCG@20.</param>
/// <param name="EpochToTarget">The first validated epoch at or above the cold start's best validation NDCG@20, or null.</param>
/// <param name="SecondsToTarget">The training seconds of the epochs up to it, or null.</param>
/// <param name="ValidationNdcg">Validation NDCG@20 by epoch.</param>
/// <param name="Test">Test metrics of the kept weights.</param>
internal sealed record WarmStartRun(
    int Epochs, double TrainingSeconds, double WallSeconds, int BestEpoch, double BestValidationNdcg, int? EpochToTarget, double? SecondsToTarget,
    IReadOnlyDictionary<int, double> ValidationNdcg, IReadOnlyDictionary<string, double> Test);

/// <summary>What the warm-start benchmark measured.</summary>
internal sealed record WarmStartReport(
    string Machine, string Dataset, string Protocol, int Seed, int Threads, int Dim, int Layers, int BatchSize, double LearningRate, double Decay,
    int EpochBudget, int EvaluateEvery, int PreviousUsers, int PreviousItems, int PreviousInteractions, int Users, int Items, int TrainInteractions,
    int ValidationInteractions, int TestInteractions, double PreviousTrainingSeconds, WarmStartRun Cold, WarmStartRun Warm, double GraphFilterFitSeconds,
    IReadOnlyDictionary<string, double> GraphFilterTest, double PeakWorkingSetMb);

/// <summary>
/// A model kept fresh: a previous model trained on part of the training events, then a cold start and a warm start
/// (<see cref="LightGcn.Train"/>'s <c>warmStartFrom</c>) on all of them, each with the same epoch budget and validation;
/// how soon the warm start reaches the cold start's best validation NDCG@20, and both models' test metrics, next to
/// GF-CF's refit.
/// </summary>
/// <remarks>
/// The previous events are a subset of the current split's train part, so that neither model has seen a validation or
/// test event. ML-100K: a seeded random split (test 20%, validation 10% of the rest, per user); the previous events are
/// the training events before the 90% quantile of their timestamps. Gowalla: the paper's split with 10% of the training
/// interactions per user for validation; the previous events are a seeded random 90% of the rest. The previous model
/// keeps its best validated epoch, on 10% of its own events per user, as a deployed model would.
/// </remarks>
internal static class WarmStartBenchmark
{
    private const string Metric = "ndcg@20";

    public static async Task<int> RunAsync(
        string dataDirectory, string datasetName, int epochs, int evaluateEvery, int threads, int seed, string output, CancellationToken cancellationToken)
    {
        bool gowalla = datasetName == "gowalla";
        var dataset = gowalla
            ? await EdgeListProvider.FromFolder(Path.Combine(dataDirectory, "gowalla")).LoadAsync(cancellationToken)
            : await new MovieLensProvider(MovieLensRelease.FromName(datasetName), new MovieLensOptions { DataDirectory = dataDirectory, AllowDownload = false })
                .LoadAsync(cancellationToken);
        var split = gowalla
            ? dataset.SplitPredefined(Splitters.RandomHoldout(0.1, seed))
            : dataset.Split(Splitters.RandomHoldout(0.2, seed), Splitters.RandomHoldout(0.1, seed));
        var (previousDataset, previousSplit) = Subset(dataset, split.Train, gowalla ? RandomShare(split.Train, 0.9, seed) : BeforeQuantile(split.Train, 0.9));
        string protocol = gowalla
            ? "the paper's split, validation 10% of train per user; previous events: a seeded random 90% of the training events"
            : "random split (test 20%, validation 10% per user); previous events: the training events before the 90% quantile of their timestamps";

        // Gowalla: the paper's batch and λ with the faster constant rate of docs/training.md; ML-100K: the sample's defaults.
        var options = new LightGcnOptions
        {
            Seed = seed, Epochs = epochs, EvaluateEvery = evaluateEvery, BatchSize = gowalla ? 2048 : 1024, LearningRate = 0.005, WeightDecay = 1e-4,
            Cutoffs = [20], ValidationMetric = Metric, Threads = threads,
        };
        Console.WriteLine($"{dataset.Name}: previous {previousDataset.Users.Count} users, {previousDataset.Items.Count} items, {previousSplit.Train.Count} events; "
            + $"current {dataset.Users.Count} users, {dataset.Items.Count} items, {split.Train.Count} training events; budget {epochs} epochs, validation every {evaluateEvery}");

        // The previous model as it would have been deployed: the best validated epoch's weights, the validation events
        // a random 10% per user of the previous events.
        var clock = Stopwatch.StartNew();
        var previousHoldout = previousDataset.Split(Splitters.RandomHoldout(0.1, seed));
        using var previous = LightGcn.Train(previousDataset, previousHoldout with { Validation = previousHoldout.Test }, options, progress: EpochLines("previous"),
            cancellationToken: cancellationToken);
        double previousSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"previous model: {epochs} epochs in {previousSeconds:F1} s, the weights of epoch {previous.BestEpoch} kept");

        var cold = Run("cold", dataset, split, options, warmStartFrom: null, target: null, cancellationToken);
        var warm = Run("warm", dataset, split, options, previous, cold.BestValidationNdcg, cancellationToken);

        clock.Restart();
        using var filter = SpectralFilter.Fit(dataset, split, SpectralFilterOptions.GfCf(), cancellationToken: cancellationToken);
        double filterSeconds = clock.Elapsed.TotalSeconds;
        var filterTest = Means(filter.Evaluate(split.Test, [20], cancellationToken: cancellationToken));
        Console.WriteLine($"GF-CF refit: {filterSeconds:F1} s; test recall@20 {filterTest["recall@20"]:F4}, ndcg@20 {filterTest[Metric]:F4}");
        Console.WriteLine(warm.EpochToTarget is int reached
            ? $"warm start reached the cold start's best validation {Metric} ({cold.BestValidationNdcg:F4}, epoch {cold.BestEpoch}, {cold.SecondsToTarget:F1} s) at epoch {reached}, {warm.SecondsToTarget:F1} s"
            : $"warm start did not reach the cold start's best validation {Metric} ({cold.BestValidationNdcg:F4}) within {epochs} epochs");

        var report = new WarmStartReport(
            Machine.Describe(), dataset.Name, protocol, seed, threads, options.EmbeddingDimension, options.Layers, options.BatchSize, options.LearningRate,
            options.WeightDecay, epochs, evaluateEvery, previousDataset.Users.Count, previousDataset.Items.Count, previousSplit.Train.Count, dataset.Users.Count,
            dataset.Items.Count, split.Train.Count, split.Validation!.Count, split.Test.Count, previousSeconds, cold, warm, filterSeconds, filterTest,
            Machine.PeakWorkingSetMegabytes());
        await Report.WriteAsync(output, report, cancellationToken);
        return 0;
    }

    /// <summary>Trains a model on the current split (from <paramref name="warmStartFrom"/> when given) and measures it against <paramref name="target"/> (the cold start's own best when null).</summary>
    private static WarmStartRun Run(
        string name, InteractionDataset dataset, DatasetSplit split, LightGcnOptions options, LightGcn? warmStartFrom, double? target, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var model = LightGcn.Train(dataset, split, options, progress: EpochLines(name), warmStartFrom: warmStartFrom, cancellationToken: cancellationToken);
        double wallSeconds = clock.Elapsed.TotalSeconds;
        var validated = model.History.Where(h => h.Validation is not null).ToDictionary(h => h.Epoch, h => h.Validation![Metric]);
        double best = validated.Values.Max();
        double goal = target ?? best;
        int? reached = validated.Where(pair => pair.Value >= goal).Select(pair => (int?)pair.Key).Min();
        double? secondsToTarget = reached is int epoch ? model.History.Where(h => h.Epoch <= epoch).Sum(h => h.Seconds) : null;
        var test = Means(model.Evaluate(split.Test, [20], cancellationToken: cancellationToken));
        var run = new WarmStartRun(model.History.Count, model.History.Sum(h => h.Seconds), wallSeconds, model.BestEpoch, best, reached, secondsToTarget, validated, test);
        Console.WriteLine($"{name}: {run.Epochs} epochs, {run.TrainingSeconds:F1} s training ({wallSeconds:F1} s with validation); best validation {Metric} {best:F4} at epoch {run.BestEpoch}; "
            + $"test recall@20 {test["recall@20"]:F4}, ndcg@20 {test[Metric]:F4}");
        Console.WriteLine($"  validation {Metric} by epoch: {string.Join(", ", validated.Select(pair => $"{pair.Key}: {pair.Value:F4}"))}");
        return run;
    }

    /// <summary>A line at the end of each epoch, to follow a long run.</summary>
    private static InlineProgress EpochLines(string name) => new(p =>
    {
        if (p.Batch == p.Batches)
        {
            Console.WriteLine($"  {name}: epoch {p.Epoch}/{p.Epochs}, loss {p.Loss:F5}");
        }
    });

    private static Dictionary<string, double> Means(GraphRec.Metrics.RankingEvaluation evaluation) =>
        evaluation.Summaries.ToDictionary(pair => pair.Key, pair => pair.Value.Mean);

    /// <summary>Flags the events strictly before the <paramref name="quantile"/> of the timestamps.</summary>
    private static bool[] BeforeQuantile(Interactions events, double quantile)
    {
        long[] sorted = [.. events.Timestamps];
        Array.Sort(sorted);
        long cutoff = sorted[(int)(quantile * sorted.Length)];
        return [.. events.Timestamps.ToArray().Select(t => t < cutoff)];
    }

    /// <summary>Flags a seeded random <paramref name="share"/> of the events.</summary>
    private static bool[] RandomShare(Interactions events, double share, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, events.Count).Select(_ => random.NextDouble() < share)];
    }

    /// <summary>
    /// The flagged events as a dataset of their own: only the users and items they have, with their original ids, as a
    /// source that knows nothing else would load them; the split trains on all of them, without validation or test.
    /// </summary>
    private static (InteractionDataset Dataset, DatasetSplit Split) Subset(InteractionDataset dataset, Interactions events, bool[] keep)
    {
        var kept = events.Select(keep);
        int[] users = [.. Enumerable.Range(0, kept.UserCount).Where(u => kept.CountOf(u) > 0)];
        int[] items = [.. kept.Items.ToArray().Distinct().Order()];
        var itemIndex = new int[kept.ItemCount];
        for (int i = 0; i < items.Length; i++)
        {
            itemIndex[items[i]] = i;
        }

        var rowPointers = new int[users.Length + 1];
        var columns = new List<int>(kept.Count);
        for (int u = 0; u < users.Length; u++)
        {
            // Item indices keep their order, so each row stays sorted.
            foreach (int item in kept.ItemsOf(users[u]))
            {
                columns.Add(itemIndex[item]);
            }

            rowPointers[u + 1] = columns.Count;
        }

        var interactions = new Interactions(users.Length, items.Length, rowPointers, [.. columns]);
        var previous = new InteractionDataset(
            dataset.Name + "-previous", new IdMap(users.Select(dataset.Users.GetId)), new IdMap(items.Select(dataset.Items.GetId)), interactions, itemInfo: null,
            new LoadReport(interactions.Count, 0, 0, 0, []));
        return (previous, DatasetSplit.TrainOnly(interactions));
    }
}
