using GraphRec.Data;

namespace GraphRec.Core.Tests;

/// <summary>
/// A user who is in the dataset but has no training interactions (only held-out ones) has nothing a model learnt: both
/// models give it the popular items a newcomer gets, and say so in the result.
/// </summary>
public sealed class UntrainedUserTests
{
    /// <summary>30 users (ids 100..) over 20 items (ids 500..); users 100 and 101 have interactions in test only.</summary>
    private static (InteractionDataset Dataset, DatasetSplit Split) Data()
    {
        var all = TestGraphs.RandomInteractions(30, 20, 160, seed: 5);
        var train = TestGraphs.FromPairs(30, 20, Pairs(all).Where(p => p.User >= 2));
        var test = TestGraphs.FromPairs(30, 20, Pairs(all).Where(p => p.User < 2));
        var dataset = new InteractionDataset("untrained", new IdMap(Enumerable.Range(100, 30).Select(u => (long)u)),
            new IdMap(Enumerable.Range(500, 20).Select(i => (long)i)), all, null, new LoadReport(all.Count, 0, 0, 0, []));
        return (dataset, new DatasetSplit(train, null, test, 0));
    }

    private static IEnumerable<(int User, int Item)> Pairs(Interactions interactions) =>
        interactions.ExpandUsers().Zip(interactions.Items.ToArray());

    public static TheoryData<string> Models => ["lightgcn", "gf-cf"];

    private static IRecommender Fit(string kind, InteractionDataset dataset, DatasetSplit split) => kind == "gf-cf"
        ? SpectralFilter.Fit(dataset, split, new SpectralFilterOptions { Rank = 4 })
        : LightGcn.Train(dataset, split, new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Epochs = 2, BatchSize = 64, Cutoffs = [5], ValidationMetric = "recall@5" });

    [Theory]
    [MemberData(nameof(Models))]
    public void A_user_without_training_interactions_gets_the_popular_items_marked_as_such(string kind)
    {
        var (dataset, split) = Data();
        using var model = Fit(kind, dataset, split);
        var popular = model.PopularItems(5);

        foreach (long userId in new long[] { 100, 101 })
        {
            var result = model.Recommend(userId, 5);

            Assert.Equal(popular.Select(r => r.ItemId), result.Select(r => r.ItemId));
            Assert.Equal(popular.Select(r => r.Score), result.Select(r => r.Score));
            Assert.All(result, r => Assert.True(r.IsPopularFallback));
        }

        var trained = model.Recommend(105, 5);
        Assert.All(trained, r => Assert.False(r.IsPopularFallback));
        Assert.NotEqual(popular.Select(r => r.ItemId), trained.Select(r => r.ItemId));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Many_users_at_once_mark_only_the_untrained_ones(string kind)
    {
        var (dataset, split) = Data();
        using var model = Fit(kind, dataset, split);

        var results = model.RecommendMany([105, 100, 106, 101], 5);

        Assert.Equal([false, true, false, true],
            results.Select(r => r[0].IsPopularFallback));
        Assert.Equal(model.Recommend(105, 5).Select(r => r.ItemId), results[0].Select(r => r.ItemId));
        Assert.Equal(model.PopularItems(5).Select(r => r.ItemId), results[3].Select(r => r.ItemId));
    }
}
