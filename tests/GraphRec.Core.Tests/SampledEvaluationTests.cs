using GraphRec.Data;
using GraphRec.Metrics;

namespace GraphRec.Core.Tests;

/// <summary>
/// Sampled evaluation: a seeded random sample of the users with held-out items, each ranked over the full catalogue,
/// checked against the full evaluation of a held-out matrix cut down by hand to the same users.
/// </summary>
public sealed class SampledEvaluationTests
{
    private const int UserCount = 80, ItemCount = 40;
    private static readonly int[] Cutoffs = [5, 10];

    /// <summary>About 8 training items per user; about 2 held-out ones for most users, none for some.</summary>
    private static (Interactions Train, Interactions HeldOut) Data()
    {
        var train = TestGraphs.RandomInteractions(UserCount, ItemCount, 600, seed: 5);
        var (users, items) = TestGraphs.RandomEdges(UserCount, ItemCount, 150, seed: 6);
        var heldOut = TestGraphs.FromPairs(UserCount, ItemCount, users.Zip(items).Where(p => !train.ItemsOf(p.First).Contains(p.Second)));
        return (train, heldOut);
    }

    private static int UsersWithItems(Interactions interactions) => Enumerable.Range(0, interactions.UserCount).Count(u => interactions.CountOf(u) > 0);

    /// <summary>The rows of <paramref name="users"/> in <paramref name="source"/>, every other row empty.</summary>
    private static Interactions RowsOf(Interactions source, IEnumerable<int> users) =>
        TestGraphs.FromPairs(source.UserCount, source.ItemCount, users.SelectMany(u => source.ItemsOf(u).ToArray().Select(i => (u, i))));

    [Fact]
    public void A_sample_of_at_least_every_user_is_the_full_evaluation()
    {
        var (train, heldOut) = Data();
        using var scorer = GraphFilterScorer.Fit(train, new SpectralFilterOptions { Rank = 8 });
        var full = FullRankingEvaluator.Evaluate(scorer, heldOut, [train], Cutoffs);

        foreach (int size in new[] { UsersWithItems(heldOut), UsersWithItems(heldOut) + 1, int.MaxValue })
        {
            var sampled = FullRankingEvaluator.Evaluate(scorer, heldOut, [train], Cutoffs, sampleUsers: size, sampleSeed: 9);

            RankingAssert.SameFigures(full, sampled);
            Assert.Equal(full.ExcludedUsers, sampled.ExcludedUsers);
            Assert.Null(sampled.SampledFrom);
        }

        Assert.Null(full.SampledFrom);
    }

    [Fact]
    public void A_sample_is_the_full_evaluation_of_exactly_its_users_and_says_how_many_it_was_drawn_from()
    {
        var (train, heldOut) = Data();
        using var scorer = GraphFilterScorer.Fit(train, new SpectralFilterOptions { Rank = 8 });
        int withItems = UsersWithItems(heldOut);

        var sampled = FullRankingEvaluator.Evaluate(scorer, heldOut, [train], Cutoffs, sampleUsers: 20, sampleSeed: 9);
        var byHand = FullRankingEvaluator.Evaluate(scorer, RowsOf(heldOut, sampled.Users), [train], Cutoffs);

        Assert.Equal(20, sampled.Users.Count);
        Assert.Equal(20, sampled.Users.Distinct().Count());
        Assert.All(sampled.Users, u => Assert.True(heldOut.CountOf(u) > 0));
        Assert.Equal(sampled.Users.Order(), sampled.Users);
        Assert.Equal(withItems, sampled.SampledFrom);
        Assert.Equal(UserCount - withItems, sampled.ExcludedUsers); // still the users without held-out items, not those left out of the sample
        RankingAssert.SameFigures(byHand, sampled);
    }

    [Fact]
    public void The_same_seed_draws_the_same_users_and_other_seeds_other_users()
    {
        var (train, heldOut) = Data();
        using var scorer = GraphFilterScorer.Fit(train, new SpectralFilterOptions { Rank = 8 });

        IReadOnlyList<int> Draw(int seed) => FullRankingEvaluator.Evaluate(scorer, heldOut, [train], Cutoffs, sampleUsers: 20, sampleSeed: seed).Users;

        Assert.Equal(Draw(9), Draw(9));
        Assert.NotEqual(Draw(9), Draw(10));
        Assert.NotEqual(Draw(9), Draw(11));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void A_sample_of_no_users_is_refused_with_a_message_that_says_what_to_pass(int size)
    {
        var (train, heldOut) = Data();
        using var scorer = GraphFilterScorer.Fit(train, new SpectralFilterOptions { Rank = 8 });

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => FullRankingEvaluator.Evaluate(scorer, heldOut, [train], Cutoffs, sampleUsers: size));

        Assert.Equal("sampleUsers", error.ParamName);
        Assert.Contains("positive number of users", error.Message, StringComparison.Ordinal);
        Assert.Contains("Pass null", error.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> Models => ["lightgcn", "gf-cf", "spectral"];

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_recommender_evaluates_a_sample_of_test_and_of_new_users_as_the_evaluator_does_those_users(string kind)
    {
        var all = TestGraphs.RandomInteractions(UserCount, ItemCount, 700, seed: 3);
        var dataset = new InteractionDataset("sampled", new IdMap(Enumerable.Range(1, UserCount).Select(u => (long)u)),
            new IdMap(Enumerable.Range(1, ItemCount).Select(i => (long)i)), all, null, new LoadReport(all.Count, 0, 0, 0, []));
        var split = dataset.Split(Splitters.RandomHoldout(0.2, seed: 1));
        var chebyCf = SpectralFilterOptions.ChebyCf();
        chebyCf.Rank = 4;
        using IRecommender model = kind switch
        {
            "gf-cf" => SpectralFilter.Fit(dataset, split, new SpectralFilterOptions { Rank = 4 }),
            "spectral" => SpectralFilter.Fit(dataset, split, chebyCf),
            _ => LightGcn.Train(dataset, split, new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Epochs = 1, BatchSize = 64, Cutoffs = [5], ValidationMetric = "recall@5" }),
        };

        var sampled = model.Evaluate(split.Test, Cutoffs, sampleUsers: 15, sampleSeed: 4);
        var byHand = FullRankingEvaluator.Evaluate(ModelScorers.Of(model), RowsOf(split.Test, sampled.Users), [split.Train], Cutoffs);
        var sampledNew = model.EvaluateNewUsers(split.Train, split.Test, Cutoffs, sampleUsers: 15, sampleSeed: 4);
        var newByHand = model.EvaluateNewUsers(split.Train, RowsOf(split.Test, sampledNew.Users), Cutoffs);

        Assert.Equal(15, sampled.Users.Count);
        Assert.Equal(UsersWithItems(split.Test), sampled.SampledFrom);
        RankingAssert.SameFigures(byHand, sampled);
        Assert.Equal(sampled.Users, sampledNew.Users); // one seed, one held-out part: the same users
        RankingAssert.SameFigures(newByHand, sampledNew);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Evaluate(split.Test, sampleUsers: 0));
    }
}
