using GraphRec.Data;
using GraphRec.Metrics;

namespace GraphRec.Core.Tests;

/// <summary>
/// A model loaded from a file knows only its train part; <c>Evaluate(…, exclude: [validation])</c> leaves the split's
/// validation items out of the rankings as the model that trained in this process does, checked against the evaluator
/// given train and validation directly.
/// </summary>
public sealed class LoadedModelEvaluationTests : IDisposable
{
    private static readonly int[] Cutoffs = [5, 10];
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-loaded-eval-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> Models => ["lightgcn", "gf-cf"];

    private static (InteractionDataset Dataset, DatasetSplit Split) Data()
    {
        var all = TestGraphs.RandomInteractions(60, 30, 700, seed: 11);
        var dataset = new InteractionDataset("loaded-eval", new IdMap(Enumerable.Range(1, 60).Select(u => (long)u)),
            new IdMap(Enumerable.Range(1, 30).Select(i => (long)i)), all, null, new LoadReport(all.Count, 0, 0, 0, []));
        return (dataset, dataset.Split(Splitters.RandomHoldout(0.2, seed: 1), Splitters.RandomHoldout(0.25, seed: 2)));
    }

    private static IRecommender Fit(string kind, InteractionDataset dataset, DatasetSplit split) => kind == "gf-cf"
        ? SpectralFilter.Fit(dataset, split, new SpectralFilterOptions { Rank = 4, Cutoffs = Cutoffs })
        : LightGcn.Train(dataset, split, new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Epochs = 2, BatchSize = 64, Cutoffs = Cutoffs, ValidationMetric = "recall@5" });

    [Theory]
    [MemberData(nameof(Models))]
    public async Task A_loaded_model_told_to_exclude_the_validation_part_ranks_test_as_the_model_that_trained_does(string kind)
    {
        var (dataset, split) = Data();
        Assert.NotNull(split.Validation);
        string path = Path.Combine(_folder, kind + ".graphrec");
        RankingEvaluation trained;
        using (var model = Fit(kind, dataset, split))
        {
            trained = model.Evaluate(split.Test, Cutoffs);
            await model.SaveAsync(path);
        }

        using var loaded = await Recommenders.LoadAsync(path);
        var reference = FullRankingEvaluator.Evaluate(ModelScorers.Of(loaded), split.Test, [split.Train, split.Validation!], Cutoffs);
        var withoutValidation = FullRankingEvaluator.Evaluate(ModelScorers.Of(loaded), split.Test, [split.Train], Cutoffs);

        RankingAssert.SameFigures(reference, trained);
        RankingAssert.SameFigures(reference, loaded.Evaluate(split.Test, Cutoffs, exclude: [split.Validation!]));
        RankingAssert.SameFigures(withoutValidation, loaded.Evaluate(split.Test, Cutoffs));
        Assert.NotEqual(withoutValidation.PerUser[MetricNames.Key(MetricNames.Ndcg, 10)], reference.PerUser[MetricNames.Key(MetricNames.Ndcg, 10)]);
    }

    [Fact]
    public async Task The_part_being_evaluated_and_null_parts_are_skipped_and_a_part_of_other_users_is_refused_by_name()
    {
        var (dataset, split) = Data();
        using var model = Fit("gf-cf", dataset, split);
        string path = Path.Combine(_folder, "gf-cf.graphrec");
        await model.SaveAsync(path);
        using var loaded = await Recommenders.LoadAsync(path);
        var plain = loaded.Evaluate(split.Test, Cutoffs);

        RankingAssert.SameFigures(plain, loaded.Evaluate(split.Test, Cutoffs, exclude: [split.Test]));
        RankingAssert.SameFigures(plain, loaded.Evaluate(split.Test, Cutoffs, exclude: [null]));
        var popular = Recommenders.EvaluateMostPopular(split.Train, split.Test, cutoffs: Cutoffs);
        RankingAssert.SameFigures(popular, Recommenders.EvaluateMostPopular(split.Train, split.Test, [split.Test, null], Cutoffs));
        var otherUsers = TestGraphs.RandomInteractions(7, 30, 20, seed: 4);
        var error = Assert.Throws<ArgumentException>(() => loaded.Evaluate(split.Test, Cutoffs, exclude: [otherUsers]));
        Assert.Equal("exclude", error.ParamName);
    }
}
