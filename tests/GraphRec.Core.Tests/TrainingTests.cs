using GraphRec.Core;
using GraphRec.Data;
using GraphRec.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

public sealed class TrainingTests
{
    /// <summary>Two communities: users 0..19 like items 0..9, users 20..39 like items 10..19; a random 70% is observed.</summary>
    private static (Interactions Train, Interactions Test) PlantedCommunities()
    {
        var random = new Random(5);
        var train = new List<(int, int)>();
        var test = new List<(int, int)>();
        for (int user = 0; user < 40; user++)
        {
            int first = user < 20 ? 0 : 10;
            for (int item = first; item < first + 10; item++)
            {
                (random.NextDouble() < 0.7 ? train : test).Add((user, item));
            }
        }

        return (TestGraphs.FromPairs(40, 20, train), TestGraphs.FromPairs(40, 20, test));
    }

    [Fact]
    public void Bpr_loss_equals_hand_computed_values()
    {
        using var scope = NewDisposeScope();
        var u = tensor(new float[] { 1, 0, 0, 2 }, 2, 2);
        var i = tensor(new float[] { 1, 1, 0, 1 }, 2, 2);
        var j = tensor(new float[] { 0, 1, 1, 0 }, 2, 2);
        // Scores: pos = (1, 2), neg = (0, 0); softplus(-1) = 0.3132617, softplus(-2) = 0.1269280.
        // L2 = ½ (‖u‖² + ‖i‖² + ‖j‖²) / 2 = ½ (5 + 3 + 2) / 2 = 2.5.
        var loss = new BprLoss(weightDecay: 0.1).Compute(stack([u, i, j]), stack([u, i, j])).item<float>();

        Assert.Equal((0.3132617 + 0.1269280) / 2 + 0.1 * 2.5, loss, 5);
    }

    [Fact]
    public void Bpr_losss_hand_written_gradient_matches_autograd()
    {
        using var scope = NewDisposeScope();
        int batch = 37, dim = 12;
        var generator = new Generator(8);
        var rows = randn([3 * batch, dim], generator: generator).Times(3f).requires_grad_();   // large scores reach both tails of softplus
        var rows0 = randn([3 * batch, dim], generator: generator).requires_grad_();
        var loss = new BprLoss(0.01);
        var reference = loss.Compute(rows.view(3, batch, dim), rows0.view(3, batch, dim));
        reference.backward();

        var gradient = new float[3 * batch * dim];
        var gradient0 = new float[3 * batch * dim];
        double value = loss.ComputeWithGradient(rows.data<float>().ToArray(), rows0.data<float>().ToArray(), batch, dim, gradient, gradient0);

        Assert.Equal(reference.item<float>(), value, 1e-5);
        Assert.True(tensor(gradient, rows.shape).allclose(rows.grad!, rtol: 1e-4, atol: 1e-7), "the gradient at the final rows differs");
        Assert.True(tensor(gradient0, rows0.shape).allclose(rows0.grad!, rtol: 1e-4, atol: 1e-7), "the gradient at the layer-0 rows differs");
    }

    [Fact]
    public void Sampler_yields_every_interaction_once_and_never_a_positive_as_negative()
    {
        var random = new Random(3);
        var train = TestGraphs.FromPairs(300, 50, Enumerable.Range(0, 6000).Select(_ => (random.Next(300), random.Next(50))));
        var sampler = new UniformNegativeSampler(seed: 9);
        long draws = 0;

        for (int epoch = 1; draws < 1_000_000; epoch++)
        {
            var triples = sampler.Sample(train, epoch, reuse: null);
            var pairs = triples.Users.Zip(triples.Positives).Order().ToArray();
            Assert.Equal(train.ExpandUsers().Zip(train.Items.ToArray()).Order(), pairs);
            for (int t = 0; t < triples.Count; t++)
            {
                Assert.False(train.Contains(triples.Users[t], triples.Negatives[t]));
            }

            draws += triples.Count;
        }

        Assert.Equal(sampler.Sample(train, 4).Negatives, new UniformNegativeSampler(9).Sample(train, 4).Negatives);
    }

    [Fact]
    public void Reference_code_sampler_weights_users_equally_and_never_yields_a_positive_as_negative()
    {
        // User 0 has 30 interactions, user 1 has 3: per interaction user 0 would get 91% of the triples, per user 50%.
        var train = TestGraphs.FromPairs(3, 40, [.. Enumerable.Range(0, 30).Select(i => (0, i)), (1, 0), (1, 1), (1, 2)]);
        var sampler = new UserUniformSampler(seed: 6);
        int userZero = 0, total = 0;
        for (int epoch = 1; epoch <= 300; epoch++)
        {
            var triples = sampler.Sample(train, epoch, reuse: null);
            Assert.Equal(train.Count, triples.Count);
            for (int t = 0; t < triples.Count; t++)
            {
                Assert.True(train.Contains(triples.Users[t], triples.Positives[t]));
                Assert.False(train.Contains(triples.Users[t], triples.Negatives[t]));
                Assert.NotEqual(2, triples.Users[t]);
            }

            userZero += triples.Users.Count(u => u == 0);
            total += triples.Count;
        }

        Assert.InRange((double)userZero / total, 0.45, 0.55);
        Assert.Equal(sampler.Sample(train, 9).Negatives, new UserUniformSampler(6, maxDegreeOfParallelism: 1).Sample(train, 9).Negatives);
    }

    [Fact]
    public void Reusing_last_epochs_triples_changes_nothing_but_the_allocation()
    {
        var random = new Random(12);
        var train = TestGraphs.FromPairs(500, 80, Enumerable.Range(0, 40_000).Select(_ => (random.Next(500), random.Next(80))));
        foreach (ParallelSampler sampler in new ParallelSampler[] { new UniformNegativeSampler(3), new UserUniformSampler(3) })
        {
            var first = sampler.Sample(train, 1, reuse: null);
            var expected = sampler.Sample(train, 2);
            var reused = sampler.Sample(train, 2, first);

            Assert.Same(first, reused);
            Assert.Equal(expected.Users, reused.Users);
            Assert.Equal(expected.Positives, reused.Positives);
            Assert.Equal(expected.Negatives, reused.Negatives);
        }
    }

    [Fact]
    public void Sampler_output_depends_on_seed_and_epoch_not_on_threads()
    {
        // More triples than one parallel chunk, so several streams are in play.
        var random = new Random(8);
        var train = TestGraphs.FromPairs(2000, 300, Enumerable.Range(0, 90_000).Select(_ => (random.Next(2000), random.Next(300))));
        var single = new UniformNegativeSampler(seed: 4, maxDegreeOfParallelism: 1).Sample(train, 2);
        var parallel = new UniformNegativeSampler(seed: 4, maxDegreeOfParallelism: 2).Sample(train, 2);

        Assert.True(train.Count > 1 << 15);
        Assert.Equal(single.Users, parallel.Users);
        Assert.Equal(single.Positives, parallel.Positives);
        Assert.Equal(single.Negatives, parallel.Negatives);
        Assert.NotEqual(single.Negatives, new UniformNegativeSampler(seed: 4).Sample(train, 3).Negatives);
        Assert.NotEqual(single.Negatives, new UniformNegativeSampler(seed: 5).Sample(train, 2).Negatives);
    }

    [Fact]
    public void Training_recovers_planted_communities()
    {
        var (train, test) = PlantedCommunities();
        using var adjacency = NormalizedAdjacency.FromEdges(40, 20, train.ExpandUsers(), train.Items);
        var options = new LightGcnOptions { EmbeddingDimension = 16, Layers = 2, Seed = 1, Epochs = 60, BatchSize = 64, LearningRate = 0.05 };
        using var model = new LightGcnModel(adjacency, options);

        using (var untrained = new LightGcnScorer(model))
        {
            Assert.True(Evaluate(untrained, train, test) < 0.8);
        }

        var result = new LightGcnTrainer(options).Train(model, train);

        using var scorer = new LightGcnScorer(model);
        Assert.True(Evaluate(scorer, train, test) > 0.95, $"ndcg@3 {Evaluate(scorer, train, test)}");
        Assert.True(result.History[^1].Loss < result.History[0].Loss);
    }

    [Fact]
    public void Training_on_historical_layers_lowers_the_loss_and_recovers_planted_communities()
    {
        var (train, test) = PlantedCommunities();
        using var adjacency = NormalizedAdjacency.FromEdges(40, 20, train.ExpandUsers(), train.Items);
        var options = new LightGcnOptions { EmbeddingDimension = 16, Layers = 2, Seed = 1, Epochs = 60, BatchSize = 64, LearningRate = 0.05, HistoryRefreshesPerEpoch = 1 };
        using var model = new LightGcnModel(adjacency, options);

        var result = new LightGcnTrainer(options).Train(model, train);

        using var scorer = new LightGcnScorer(model);
        Assert.True(Evaluate(scorer, train, test) > 0.95, $"ndcg@3 {Evaluate(scorer, train, test)}");
        Assert.True(result.History[^1].Loss < 0.5 * result.History[0].Loss, $"loss {result.History[0].Loss} then {result.History[^1].Loss}");
    }

    [Fact]
    public void Each_epoch_of_the_history_is_its_last_progress_report_with_its_validation()
    {
        var (train, test) = PlantedCommunities();
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        var options = new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Epochs = 3, BatchSize = 64, Seed = 4, Cutoffs = [3], ValidationMetric = "recall@3", EvaluateEvery = 1 };
        using var model = new LightGcnModel(adjacency, options);
        var reports = new List<TrainingProgress>();

        var history = new LightGcnTrainer(options).Train(model, train, test, new SynchronousProgress(reports.Add)).History;

        Assert.Equal(3, history.Count);
        foreach (var epoch in history)
        {
            var last = reports.Last(r => r.Epoch == epoch.Epoch);
            Assert.Equal((last.Epochs, last.Batch, last.Batches, last.Loss), (epoch.Epochs, epoch.Batch, epoch.Batches, epoch.Loss));
            Assert.Equal(last.Batches, epoch.Batch);
            Assert.True(epoch.Seconds >= last.Seconds && epoch.TriplesPerSecond > 0);
            Assert.Null(last.Validation);
            Assert.True(epoch.Validation!.ContainsKey("recall@3"));
        }
    }

    private sealed class SynchronousProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    [Fact]
    public void Same_seed_same_data_same_threads_gives_the_same_metrics()
    {
        var (train, test) = PlantedCommunities();

        double[] Run()
        {
            using var adjacency = NormalizedAdjacency.FromEdges(40, 20, train.ExpandUsers(), train.Items);
            var options = new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Seed = 3, Epochs = 3, BatchSize = 50, LearningRate = 0.01 };
            using var model = new LightGcnModel(adjacency, options);
            new LightGcnTrainer(options).Train(model, train);
            using var scorer = new LightGcnScorer(model);
            var result = FullRankingEvaluator.Evaluate(scorer, test, [train], [3, 5]);
            return [.. result.Summaries.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Value.Mean)];
        }

        Assert.Equal(Run(), Run());
    }

    private static double Evaluate(IScorer scorer, Interactions train, Interactions test) =>
        FullRankingEvaluator.Evaluate(scorer, test, [train], [3]).Mean(MetricNames.Ndcg, 3);

    [Fact]
    public void Evaluator_never_recommends_training_items()
    {
        var (train, _) = PlantedCommunities();
        var scorer = new MostPopularScorer(train);

        int[] top = FullRankingEvaluator.TopK(scorer, [0, 1, 25], [train], 5);

        for (int b = 0; b < 3; b++)
        {
            int user = new[] { 0, 1, 25 }[b];
            Assert.All(top.AsSpan(b * 5, 5).ToArray(), item => Assert.False(train.Contains(user, item)));
        }
    }

    [Fact]
    public void Evaluator_ranks_a_known_order_and_stops_where_the_catalogue_runs_out()
    {
        // Item i scores i for every user: the best unseen items are the highest indices not in the user's train row.
        var train = TestGraphs.FromPairs(2, 6, [(0, 5), (0, 3), (1, 0), (1, 1), (1, 2), (1, 3), (1, 4)]);
        var test = TestGraphs.FromPairs(2, 6, [(0, 4), (1, 5)]);
        var scorer = new FixedScorer(6);

        int[] top = FullRankingEvaluator.TopK(scorer, [0, 1], [train], 3);
        var result = FullRankingEvaluator.Evaluate(scorer, test, [train], [1, 3]);

        Assert.Equal([4, 2, 1, 5, -1, -1], top);
        Assert.Equal(1.0, result.Mean(MetricNames.Precision, 1));
        Assert.Equal(2, result.Users.Count);
    }

    private sealed class FixedScorer(int items) : IScorer
    {
        public int ItemCount => items;

        public Tensor Score(ReadOnlySpan<int> batch)
        {
            // Each scalar in a using, as the remarks of ILoss ask of code the library calls in a loop.
            using var start = 0.ToScalar();
            using var stop = items.ToScalar();
            using var step = 1.ToScalar();
            return arange(start, stop, step, ScalarType.Float32).unsqueeze(0).expand(batch.Length, items).clone();
        }
    }

    [Fact]
    public void The_learning_rate_drops_by_the_decay_after_each_milestone()
    {
        var options = new LightGcnOptions { LearningRate = 0.005, LearningRateMilestones = [80, 150], LearningRateDecay = 0.2 };

        Assert.Equal([0.005, 0.005, 0.001, 0.001, 0.0002], new[] { 1, 80, 81, 150, 151 }.Select(options.LearningRateAt), (a, b) => Math.Abs(a - b) < 1e-15);
        Assert.Equal(0.005, new LightGcnOptions { LearningRate = 0.005 }.LearningRateAt(1000));
    }

    [Fact]
    public void A_schedule_trains_like_one_rate_up_to_its_milestone_and_differently_after_it()
    {
        var (train, _) = PlantedCommunities();
        IReadOnlyList<TrainingProgress> Run(int[] milestones)
        {
            using var adjacency = NormalizedAdjacency.FromEdges(40, 20, train.ExpandUsers(), train.Items);
            var options = new LightGcnOptions
            {
                EmbeddingDimension = 8, Layers = 2, Seed = 3, Epochs = 3, BatchSize = 50, LearningRate = 0.02, LearningRateMilestones = milestones, LearningRateDecay = 0.1,
            };
            using var model = new LightGcnModel(adjacency, options);
            return new LightGcnTrainer(options).Train(model, train).History;
        }

        var constant = Run([]);
        var scheduled = Run([2]);

        Assert.Equal(constant.Take(2).Select(h => h.Loss), scheduled.Take(2).Select(h => h.Loss));
        Assert.NotEqual(constant[2].Loss, scheduled[2].Loss);
    }

    [Fact]
    public void A_different_loss_plugs_in_without_touching_the_trainer()
    {
        var (train, _) = PlantedCommunities();
        using var adjacency = NormalizedAdjacency.FromEdges(40, 20, train.ExpandUsers(), train.Items);
        using var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 8, Layers = 1, Seed = 2 });
        var hinge = new CountingHingeLoss();

        new LightGcnTrainer(new LightGcnOptions { Epochs = 2, BatchSize = 100 }, loss: hinge).Train(model, train);

        Assert.Equal(2 * ((train.Count + 99) / 100), hinge.Calls);
    }

    [Fact]
    public void A_nan_loss_stops_training_naming_epoch_and_batch()
    {
        var (train, _) = PlantedCommunities();
        using var adjacency = NormalizedAdjacency.FromEdges(40, 20, train.ExpandUsers(), train.Items);
        using var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 8, Layers = 1 });

        var error = Assert.Throws<TrainingDivergedException>(() =>
            new LightGcnTrainer(new LightGcnOptions { Epochs = 1, BatchSize = 100 }, loss: new NanLoss()).Train(model, train));

        Assert.Equal((1, 1), (error.Epoch, error.Batch));
    }

    [SkippableFact]
    public async Task Real_ml100k_training_lifts_recall_far_above_an_untrained_model()
    {
        string? directory = Environment.GetEnvironmentVariable("GRAPHREC_DATA_DIR");
        Skip.If(string.IsNullOrEmpty(directory) || !Directory.Exists(Path.Combine(directory, "ml-100k")),
            "GRAPHREC_DATA_DIR does not hold ml-100k/: the integration test on MovieLens 100K is skipped.");
        var dataset = await new MovieLensProvider(MovieLensRelease.Ml100K, new MovieLensOptions { DataDirectory = directory, AllowDownload = false }).LoadAsync();
        var split = dataset.Split(Splitters.RandomHoldout(0.2, seed: 1));
        using var adjacency = NormalizedAdjacency.FromEdges(dataset.Users.Count, dataset.Items.Count, split.Train.ExpandUsers(), split.Train.Items);
        using var model = new LightGcnModel(adjacency, new LightGcnOptions { Seed = 1 });
        double Recall()
        {
            using var scorer = new LightGcnScorer(model);
            return FullRankingEvaluator.Evaluate(scorer, split.Test, [split.Train]).Mean(MetricNames.Recall, 20);
        }

        double before = Recall();
        new LightGcnTrainer(new LightGcnOptions { Epochs = 10, BatchSize = 1024, LearningRate = 0.005 }).Train(model, split.Train);
        double after = Recall();

        Assert.True(after > 0.2 && after > 5 * before, $"recall@20 before {before:F4}, after {after:F4}");
    }

    private sealed class CountingHingeLoss : ILoss
    {
        public int Calls { get; private set; }

        public Tensor Compute(Tensor embeddings, Tensor layer0)
        {
            Calls++;
            using var one = 1.ToScalar();
            using var zero = 0.ToScalar();
            var margin = (embeddings[0] * embeddings[2]).sum(1).sub((embeddings[0] * embeddings[1]).sum(1)).add(one, one);
            return margin.clamp_min(zero).mean();
        }
    }

    private sealed class NanLoss : ILoss
    {
        public Tensor Compute(Tensor embeddings, Tensor layer0)
        {
            using var nan = float.NaN.ToScalar();
            return embeddings[0].sum().mul(nan);
        }
    }
}
