using GraphRec.Core;
using GraphRec.Data;

namespace GraphRec.Core.Tests;

/// <summary>Values a caller can get wrong: each is refused before any work, with a message that names it.</summary>
public sealed class MisuseTests
{
    private static Interactions Train() => new(4, 3, [0, 2, 3, 4, 5], [0, 1, 2, 0, 1]);

    private static (NormalizedAdjacency Adjacency, LightGcnModel Model) Model(Interactions train, int seed = 1)
    {
        var adjacency = NormalizedAdjacency.FromEdges(train.UserCount, train.ItemCount, train.ExpandUsers(), train.Items);
        return (adjacency, new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 4, Layers = 1, Seed = seed }));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_learning_rate_that_is_not_a_positive_number_is_refused_at_once(double learningRate)
    {
        var error = Assert.Throws<ArgumentException>(() => new LightGcnOptions { LearningRate = learningRate }.Validate());

        Assert.Contains("LightGcnOptions.LearningRate", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 80, 50 }, 0.2, "LightGcnOptions.LearningRateMilestones")]
    [InlineData(new[] { 80, 80 }, 0.2, "LightGcnOptions.LearningRateMilestones")]
    [InlineData(new[] { 0 }, 0.2, "LightGcnOptions.LearningRateMilestones")]
    [InlineData(new[] { 80 }, 0.0, "LightGcnOptions.LearningRateDecay")]
    [InlineData(new[] { 80 }, 1.5, "LightGcnOptions.LearningRateDecay")]
    [InlineData(new[] { 80 }, double.NaN, "LightGcnOptions.LearningRateDecay")]
    public void A_learning_rate_schedule_out_of_order_or_out_of_range_is_refused_at_once(int[] milestones, double decay, string expected)
    {
        var options = new LightGcnOptions { LearningRateMilestones = milestones, LearningRateDecay = decay };

        Assert.Contains(expected, Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("recall@20", new[] { 10 })]
    [InlineData("Recall@20", new[] { 10, 20 })]
    [InlineData("recall", new[] { 20 })]
    public void A_validation_metric_that_validation_does_not_compute_is_refused_at_once(string metric, int[] cutoffs)
    {
        var options = new LightGcnOptions { ValidationMetric = metric, Cutoffs = cutoffs };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Contains("LightGcnOptions.ValidationMetric", error.Message, StringComparison.Ordinal);
        Assert.Contains($"recall@{cutoffs[^1]}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Sizes_and_counts_below_one_are_refused_naming_the_option(int value)
    {
        foreach (var (options, name) in new (LightGcnOptions, string)[]
        {
            (new() { BatchSize = value }, "BatchSize"), (new() { Epochs = value }, "Epochs"), (new() { EvaluateEvery = value }, "EvaluateEvery"),
            (new() { Patience = value }, "Patience"), (new() { EmbeddingDimension = value }, "EmbeddingDimension"), (new() { Cutoffs = [10, value] }, "Cutoffs"),
        })
        {
            Assert.Contains($"LightGcnOptions.{name}", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_type_that_takes_the_options_validates_them_before_any_work()
    {
        var bad = new LightGcnOptions { ValidationMetric = "recall@30" };
        using var adjacency = NormalizedAdjacency.FromInteractions(Train());

        Assert.Throws<ArgumentException>(() => new LightGcnModel(adjacency, bad));
        Assert.Throws<ArgumentException>(() => new LightGcnTrainer(bad));
        var dataset = new InteractionDataset("t", new IdMap([1, 2, 3, 4]), new IdMap([1, 2, 3]), Train(), null, new LoadReport(5, 0, 0, 0, []));
        Assert.Throws<ArgumentException>(() => LightGcn.Train(dataset, new DatasetSplit(Train(), null, Train(), 0), bad));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-1e-4)]
    [InlineData(double.PositiveInfinity)]
    public void A_weight_decay_that_is_not_a_finite_non_negative_number_is_refused(double decay) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new BprLoss(decay));

    [Fact]
    public void A_nan_layer_weight_or_an_absurd_layer_count_is_refused()
    {
        using var adjacency = NormalizedAdjacency.FromEdges(1, 1, [0], [0]);

        Assert.Throws<ArgumentException>(() => new LightGcnModel(adjacency, new LightGcnOptions { Layers = 1, LayerWeights = [0.5f, float.NaN] }));
        Assert.Throws<ArgumentException>(() => new LightGcnModel(adjacency, new LightGcnOptions { Layers = LightGcnOptions.MaxLayers + 1 }));
    }

    [Fact]
    public void A_learning_rate_so_large_that_scores_overflow_stops_training_instead_of_returning_a_useless_model()
    {
        var train = Train();
        var (adjacency, model) = Model(train);
        using (adjacency)
        using (model)
        {
            // One batch per epoch: the loss is computed before the only step, so only the check on the weights can see it.
            var trainer = new LightGcnTrainer(new LightGcnOptions { Epochs = 1, BatchSize = 1024, LearningRate = 1e38 });

            var error = Assert.Throws<TrainingDivergedException>(() => trainer.Train(model, train));

            Assert.Contains("embeddings", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Training_on_interactions_of_another_shape_is_refused()
    {
        var (adjacency, model) = Model(Train());
        using (adjacency)
        using (model)
        {
            var other = new Interactions(2, 2, [0, 1, 2], [0, 1]);

            var error = Assert.Throws<ArgumentException>(() => new LightGcnTrainer().Train(model, other));

            Assert.Contains("2 users x 2 items, the model 4 x 3", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Training_where_every_user_has_every_item_is_refused_as_nothing_to_train_on()
    {
        var full = new Interactions(2, 2, [0, 2, 4], [0, 1, 0, 1]);
        var (adjacency, model) = Model(full);
        using (adjacency)
        using (model)
        {
            var error = Assert.Throws<ArgumentException>(() => new LightGcnTrainer().Train(model, full));

            Assert.Contains("nothing to train on", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Evaluating_held_out_interactions_of_another_shape_is_refused()
    {
        var (adjacency, model) = Model(Train());
        using (adjacency)
        using (model)
        using (var scorer = new LightGcnScorer(model))
        {
            var wider = new Interactions(4, 5, [0, 1, 1, 1, 1], [4]);

            Assert.Throws<ArgumentException>(() => FullRankingEvaluator.Evaluate(scorer, wider, [Train()]));
            Assert.Throws<ArgumentException>(() => FullRankingEvaluator.Evaluate(scorer, Train(), [new Interactions(2, 3, [0, 0, 0], [])]));
            Assert.Throws<ArgumentOutOfRangeException>(() => scorer.Score([4]));
        }
    }

    [Fact]
    public void Recommender_indices_and_counts_out_of_range_are_refused()
    {
        var (adjacency, model) = Model(Train());
        using (adjacency)
        using (model)
        {
            var catalog = new ModelCatalog("t", new IdMap([1, 2, 3, 4]), new IdMap([1, 2, 3]), Train(), null);
            using var recommender = new LightGcnRecommender(model, catalog);

            Assert.Throws<ArgumentOutOfRangeException>(() => recommender.ScoreAll(-1));
            Assert.Throws<ArgumentOutOfRangeException>(() => recommender.ScoreAll(4));
            Assert.Throws<ArgumentOutOfRangeException>(() => recommender.PopularItems(-1));
        }
    }

    [Fact]
    public void A_graph_too_large_for_arrays_is_an_argument_error_not_an_overflow()
    {
        var error = Assert.Throws<ArgumentException>(() => NormalizedAdjacency.FromEdges(int.MaxValue, 1, [], []));

        Assert.Contains("more nodes than an array can index", error.Message, StringComparison.Ordinal);
    }
}
