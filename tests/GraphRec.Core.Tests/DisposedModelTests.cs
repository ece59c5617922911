using GraphRec.Data;

namespace GraphRec.Core.Tests;

/// <summary>
/// A disposed model refuses every call with <see cref="ObjectDisposedException"/>, and calls racing a dispose either
/// finish with the right answer or get that exception: never a native error or a read of freed memory.
/// </summary>
public sealed class DisposedModelTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-disposed-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (InteractionDataset Dataset, DatasetSplit Split) Data()
    {
        var all = TestGraphs.RandomInteractions(40, 25, 300, seed: 3);
        var dataset = new InteractionDataset("disposed", new IdMap(Enumerable.Range(1, 40).Select(u => (long)u)),
            new IdMap(Enumerable.Range(1, 25).Select(i => (long)i)), all, null, new LoadReport(all.Count, 0, 0, 0, []));
        return (dataset, dataset.Split(Splitters.RandomHoldout(0.2, seed: 1)));
    }

    public static TheoryData<string> Models => ["lightgcn", "gf-cf", "spectral"];

    private static IScorer Scorer(IRecommender model) => ModelScorers.Of(model);

    private static IRecommender Fit(string kind)
    {
        var (dataset, split) = Data();
        return kind switch
        {
            "gf-cf" => SpectralFilter.Fit(dataset, split, new SpectralFilterOptions { Rank = 4 }),
            "spectral" => SpectralFilter.Fit(dataset, split, SmallChebyCf()),
            _ => LightGcn.Train(dataset, split, new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Epochs = 1, BatchSize = 64, Cutoffs = [5], ValidationMetric = "recall@5" }),
        };
    }

    private static SpectralFilterOptions SmallChebyCf()
    {
        var options = SpectralFilterOptions.ChebyCf();
        options.Rank = 4;
        return options;
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Every_member_of_a_disposed_model_throws_ObjectDisposedException(string kind)
    {
        var model = Fit(kind);
        var test = Data().Split.Test;
        var scorer = Scorer(model);
        model.Dispose();
        model.Dispose(); // a second dispose is allowed

        var calls = new (string Name, Action Call)[]
        {
            ("Recommend", () => model.Recommend(1, 5)),
            ("RecommendMany", () => model.RecommendMany([1, 2], 5)),
            ("RecommendForItems", () => model.RecommendForItems([1, 2], 5)),
            ("SimilarItems", () => model.SimilarItems(1, 5)),
            ("PopularItems", () => model.PopularItems(5)),
            ("Evaluate", () => model.Evaluate(test)),
            ("EvaluateNewUsers", () => model.EvaluateNewUsers(test, test)),
            ("ExportEmbeddings", () => model.ExportEmbeddings()),
            ("Scorer", () => _ = Scorer(model)),
            ("Scorer.Score", () => scorer.Score([0]).Dispose()),
            ("Users", () => _ = model.Users),
            ("Items", () => _ = model.Items),
            ("TrainingInteractions", () => _ = model.TrainingInteractions),
            ("DatasetName", () => _ = model.DatasetName),
        };
        AssertEachThrowsObjectDisposedException(calls);

        await Assert.ThrowsAsync<ObjectDisposedException>(() => model.SaveAsync(Path.Combine(_folder, "m.graphrec")));
        Assert.False(File.Exists(Path.Combine(_folder, "m.graphrec")));
    }

    private static void AssertEachThrowsObjectDisposedException(IEnumerable<(string Name, Action Call)> calls)
    {
        foreach (var (name, call) in calls)
        {
            var error = Record.Exception(call);
            Assert.True(error is ObjectDisposedException, $"{name}: {error?.GetType().Name ?? "no exception"}: {error?.Message}");
        }
    }

    [Fact]
    public void Every_member_of_a_disposed_LightGcnModel_LightGcnConv_and_the_adjacencys_tensor_throws_ObjectDisposedException()
    {
        using var adjacency = NormalizedAdjacency.FromInteractions(Data().Split.Train);
        var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 4, Layers = 2 });
        var conv = new LightGcnConv(adjacency);
        using var embeddings = TorchSharp.torch.ones(adjacency.NodeCount, 4);
        model.Dispose();
        conv.Dispose();
        model.Dispose(); // a second dispose is allowed

        AssertEachThrowsObjectDisposedException(
        [
            ("Options", () => _ = model.Options),
            ("Adjacency", () => _ = model.Adjacency),
            ("UserCount", () => _ = model.UserCount),
            ("ItemCount", () => _ = model.ItemCount),
            ("Embedding", () => _ = model.Embedding),
            ("LayerWeights", () => _ = model.LayerWeights),
            ("Propagate", () => model.Propagate()),
            ("PropagateNodes", () => model.PropagateNodes()),
            ("PropagateRows", () => model.PropagateRows([0, 1])),
            ("LightGcnConv.forward", () => conv.forward(embeddings)),
        ]);

        _ = adjacency.Sparse;
        adjacency.Dispose();
        AssertEachThrowsObjectDisposedException([("NormalizedAdjacency.Sparse", () => _ = adjacency.Sparse)]);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task Calls_racing_a_dispose_give_the_right_answer_or_ObjectDisposedException_only(string kind)
    {
        var model = Fit(kind);
        long[] users = [.. Enumerable.Range(0, model.Users.Count).Where(u => model.TrainingInteractions.CountOf(u) > 0).Select(model.Users.GetNumericId)];
        var expected = users.ToDictionary(u => u, u => model.Recommend(u, 5).Select(r => r.ItemId).ToArray());
        int started = 0, disposedCalls = 0, answered = 0;
        var wrong = new System.Collections.Concurrent.ConcurrentBag<string>();
        var workers = Enumerable.Range(0, 16).Select(w => Task.Run(() =>
        {
            for (int call = 0; call < 400; call++)
            {
                long user = users[(w * 400 + call) % users.Length];
                Interlocked.Increment(ref started);
                try
                {
                    var items = model.Recommend(user, 5).Select(r => r.ItemId).ToArray();
                    if (!items.SequenceEqual(expected[user]))
                    {
                        wrong.Add($"user {user}: {string.Join(",", items)}");
                    }

                    Interlocked.Increment(ref answered);
                }
                catch (ObjectDisposedException)
                {
                    Interlocked.Increment(ref disposedCalls);
                }
                catch (Exception error)
                {
                    wrong.Add($"{error.GetType().Name}: {error.Message}");
                }
            }
        })).ToArray();

        while (Volatile.Read(ref started) < 200)
        {
            await Task.Yield();
        }

        model.Dispose();
        await Task.WhenAll(workers);

        Assert.True(wrong.IsEmpty, $"{wrong.Count} calls failed otherwise, such as {wrong.FirstOrDefault()}");
        Assert.Equal(16 * 400, answered + disposedCalls);
        Assert.True(answered >= 100, $"only {answered} calls answered before the dispose");
    }
}
