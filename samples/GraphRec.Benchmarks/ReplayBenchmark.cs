using System.Globalization;
using GraphRec.Core;
using GraphRec.Core.Kernels;
using GraphRec.Data;
using GraphRec.Metrics;
using static TorchSharp.torch;

namespace GraphRec.Benchmarks;

/// <summary>
/// Replays a run of the reference LightGCN code (written by <c>parity/dump_reference.py</c>) through GraphRec's training
/// step: the reference's initial embeddings and its sampled triples, batch by batch, with its hyperparameters; then
/// GraphRec's full-ranking evaluation of the result and of the reference's own final embeddings. The ids are the
/// split files' own (node u is user u, node users + i is item i), as in the reference.
/// </summary>
internal static class ReplayBenchmark
{
    public static int Run(string splitFolder, string dumpFolder, int users, int items)
    {
        var train = Read(Path.Combine(splitFolder, "train.txt"), users, items);
        var test = Read(Path.Combine(splitFolder, "test.txt"), users, items);
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        var options = new LightGcnOptions { EmbeddingDimension = 64, Layers = 3, LearningRate = 0.005, WeightDecay = 1e-4 };
        using var model = new LightGcnModel(adjacency, options);
        using var referenceFinal = tensor(LoadMatrix(Path.Combine(dumpFolder, "final.txt")), model.Embedding.shape);
        using (no_grad())
        {
            model.Embedding.copy_(referenceFinal);
        }

        Console.WriteLine($"GraphRec's evaluation of the reference's final embeddings: {Evaluate(model, train, test)}");
        using (no_grad())
        using (var scope = NewDisposeScope())
        {
            model.Embedding.copy_(tensor(LoadMatrix(Path.Combine(dumpFolder, "init.txt")), model.Embedding.shape));
        }

        using var step = KernelTrainingStep.For(model, options.LearningRate) ?? throw new InvalidOperationException("The replay needs the CPU kernel.");
        var loss = new BprLoss(options.WeightDecay);
        int batches = 0;
        foreach (var line in File.ReadLines(Path.Combine(dumpFolder, "batches.txt")))
        {
            int[] flat = [.. line.Split(' ').Select(value => int.Parse(value, CultureInfo.InvariantCulture))];
            int size = flat.Length / 3;
            var triples = new TripleSet([.. flat.Where((_, k) => k % 3 == 0)], [.. flat.Where((_, k) => k % 3 == 1)], [.. flat.Where((_, k) => k % 3 == 2)]);
            step.Run(loss, triples.BatchNodes(0, size, users), size);
            batches++;
        }

        step.RestoreNodeOrder();

        using var difference = (model.Embedding.detach() - referenceFinal).abs().max();
        Console.WriteLine($"GraphRec trained on the reference's initial embeddings and {batches} batches of its triples: {Evaluate(model, train, test)}");
        Console.WriteLine($"largest difference from the reference's final embeddings: {difference.item<float>():E2}");
        return 0;
    }

    private static string Evaluate(LightGcnModel model, Interactions train, Interactions test)
    {
        using var scorer = new LightGcnScorer(model);
        var result = FullRankingEvaluator.Evaluate(scorer, test, [train], [10]);
        return $"P@10 {result.Mean(MetricNames.Precision, 10):F4}, R@10 {result.Mean(MetricNames.Recall, 10):F4}, NDCG@10 {result.Mean(MetricNames.Ndcg, 10):F4}";
    }

    /// <summary>An edge-list file (user item item ...) with the file's own ids.</summary>
    private static Interactions Read(string path, int users, int items)
    {
        var rows = File.ReadLines(path)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(value => int.Parse(value, CultureInfo.InvariantCulture)).ToArray())
            .ToDictionary(row => row[0], row => row[1..].Order().ToArray());
        var pointers = new int[users + 1];
        var columns = new List<int>();
        for (int user = 0; user < users; user++)
        {
            columns.AddRange(rows.GetValueOrDefault(user, []));
            pointers[user + 1] = columns.Count;
        }

        return new Interactions(users, items, pointers, [.. columns]);
    }

    private static float[] LoadMatrix(string path) =>
        [.. File.ReadLines(path).SelectMany(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(value => float.Parse(value, CultureInfo.InvariantCulture))];
}
