// GraphRec sample: load MovieLens 100K, split 80/20 per user, train LightGCN, evaluate over the full catalogue
// next to two baselines, and show recommendations for one user. The dataset is looked up in GRAPHREC_DATA_DIR
// (or ~/.cache/graphrec), as the folder ml-100k/ or the archive ml-100k.zip, and downloaded when absent.
using System.Diagnostics;
using System.Globalization;
using GraphRec.Core.Evaluation;
using GraphRec.Core.Graph;
using GraphRec.Core.Models;
using GraphRec.Core.Training;
using GraphRec.Data;
using GraphRec.Data.Providers;
using GraphRec.Data.Splitting;
using GraphRec.Metrics;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
int epochs = args.Length > 0 && int.TryParse(args[0], out int e) && e > 0 ? e : 30;

InteractionDataset dataset;
try
{
    dataset = await new MovieLensProvider(MovieLensRelease.Ml100K).LoadAsync();
}
catch (Exception error) when (error is DatasetNotFoundException or DatasetFormatException)
{
    Console.Error.WriteLine($"error: {error.Message}");
    return 1;
}

var split = DatasetSplitter.Split(dataset.Interactions, new RandomHoldoutSplitter(0.2, seed: 2020));
Console.WriteLine($"{dataset.Name}: {dataset.Users.Count} users, {dataset.Items.Count} items, {dataset.Interactions.Count} interactions; " +
    $"train {split.Train.Count}, test {split.Test.Count} ({split.DroppedHeldOut} dropped: user or item not in train)");

using var adjacency = NormalizedAdjacency.FromInteractions(dataset.Users.Count, dataset.Items.Count, split.Train.ExpandUsers(), split.Train.Items);
using var model = new LightGcnModel(adjacency, new LightGcnOptions { Seed = 2020 });
var trainer = new LightGcnTrainer(new TrainerOptions { Epochs = epochs, BatchSize = 1024, LearningRate = 0.005, Seed = 2020 });
var clock = Stopwatch.StartNew();
var progress = new ConsoleProgress(p =>
{
    if (p.Batch == p.Batches)
    {
        Console.WriteLine($"epoch {p.Epoch,3}/{p.Epochs}: loss {p.Loss:F4}, {p.TriplesPerSecond:N0} triples/s");
    }
});
await trainer.TrainAsync(model, split.Train, progress: progress);
Console.WriteLine($"trained {epochs} epochs in {clock.Elapsed.TotalSeconds:F1} s");

using var lightGcn = new LightGcnScorer(model);
var systems = new (string Name, IScorer Scorer)[]
{
    ("LightGCN", lightGcn),
    ("MostPopular", new MostPopularScorer(split.Train)),
    ("PureSVD", new PureSvdScorer(split.Train, rank: 64)),
};
var results = systems.Select(s => (s.Name, Result: FullRankingEvaluator.Evaluate(s.Scorer, split.Test, [split.Train]))).ToArray();
Console.WriteLine();
Console.WriteLine($"{"system",-12} {"P@10",22} {"R@10",22} {"NDCG@10",22} {"R@20",22}");
foreach (var (name, result) in results)
{
    string Cell(string metric, int k)
    {
        var s = result.Summaries[MetricNames.Key(metric, k)];
        return $"{s.Mean:F4} [{s.Lower:F4}, {s.Upper:F4}]";
    }

    Console.WriteLine($"{name,-12} {Cell(MetricNames.Precision, 10),22} {Cell(MetricNames.Recall, 10),22} {Cell(MetricNames.Ndcg, 10),22} {Cell(MetricNames.Recall, 20),22}");
}

foreach (var (name, result) in results.Skip(1))
{
    var comparison = results[0].Result.CompareWith(result, MetricNames.Ndcg, 10);
    Console.WriteLine($"LightGCN vs {name} on NDCG@10: {comparison.MeanDifference:+0.0000;-0.0000}, t-test p = {comparison.TTestPValue:G3}, " +
        $"Wilcoxon p = {comparison.WilcoxonPValue:G3}: {(comparison.IsSignificant() ? "significant" : "not significant")}");
}

int user = dataset.Users.GetIndex(1);
Console.WriteLine();
Console.WriteLine($"Top 5 for user {dataset.Users.GetOriginalId(user)} (who rated {split.Train.CountOf(user)} movies in train):");
foreach (int item in FullRankingEvaluator.TopK(lightGcn, [user], [split.Train], 5))
{
    var info = dataset.GetItemInfo(item);
    Console.WriteLine($"  {info} [{string.Join(", ", info?.Genres ?? [])}]");
}

return 0;

/// <summary>Reports on the training thread, so lines come out in order (Progress&lt;T&gt; posts to the thread pool).</summary>
internal sealed class ConsoleProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value) => report(value);
}
