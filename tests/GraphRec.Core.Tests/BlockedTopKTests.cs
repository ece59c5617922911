using GraphRec.Core;
using GraphRec.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

/// <summary>A top-K that scores the catalogue a block of items at a time ranks exactly as one over whole rows.</summary>
public sealed class BlockedTopKTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(100)]
    public void Offering_a_row_in_blocks_of_any_width_selects_what_one_pass_does(int width)
    {
        var random = new Random(width);
        for (int trial = 0; trial < 20; trial++)
        {
            // Five values among 57 scores, so ties everywhere, and excluded items and NaN that never qualify.
            var scores = Enumerable.Range(0, 57).Select(_ => random.Next(7) switch { 5 => float.NegativeInfinity, 6 => float.NaN, int v => v / 4f }).ToArray();
            int k = 1 + random.Next(60);
            var expected = new int[k];
            var expectedScores = new float[k];
            TopKSelection.Select(scores, expected, expectedScores);

            var top = new int[k];
            var best = new float[k];
            int count = 0;
            for (int first = 0; first < scores.Length; first += width)
            {
                TopKSelection.Offer(scores.AsSpan(first, Math.Min(width, scores.Length - first)), first, best, top, ref count);
            }

            TopKSelection.Finish(best, top, count);
            Assert.Equal(expected, top);
            Assert.Equal(expectedScores, best);
        }
    }

    [Fact]
    public void A_top_k_over_blocks_of_items_equals_one_over_whole_rows_and_a_sort_of_the_scores()
    {
        const int users = 9, items = 23, k = 6;
        var scores = new float[users, items];
        for (int u = 0; u < users; u++)
        {
            for (int i = 0; i < items; i++)
            {
                scores[u, i] = ((u * 7) + (i * 13)) % 5; // ties in every row, across block boundaries
            }
        }

        // User 3 has every item but two in train, so its row ends in -1.
        var pairs = new List<(int, int)> { (0, 0), (0, 4), (0, 5), (0, 22), (1, 11), (1, 12), (2, 3), (5, 9), (8, 17) };
        pairs.AddRange(Enumerable.Range(0, items).Where(i => i is not (6 or 19)).Select(i => (3, i)));
        var train = TestGraphs.FromPairs(users, items, pairs);
        var validation = TestGraphs.FromPairs(users, items, [(0, 8), (0, 16), (2, 12), (8, 3)]);
        int[] ranked = [0, 1, 2, 3, 5, 8];

        var wholeScores = new float[ranked.Length * k];
        var blockScores = new float[ranked.Length * k];
        int[] whole = FullRankingEvaluator.TopK(new MatrixScorer(scores, itemsPerCall: null), ranked, [train, validation], k, wholeScores);
        int[] blocked = FullRankingEvaluator.TopK(new MatrixScorer(scores, itemsPerCall: 4), ranked, [train, validation], k, blockScores);

        Assert.Equal(whole, blocked);
        Assert.Equal(wholeScores, blockScores);
        for (int b = 0; b < ranked.Length; b++)
        {
            int user = ranked[b];
            var expected = Enumerable.Range(0, items).Where(i => !train.Contains(user, i) && !validation.Contains(user, i))
                .OrderByDescending(i => scores[user, i]).ThenBy(i => i).Take(k).ToList();
            while (expected.Count < k)
            {
                expected.Add(-1);
            }

            Assert.Equal(expected, blocked.AsSpan(b * k, k).ToArray());
        }

        Assert.Equal([6, 19, -1, -1, -1, -1], blocked.AsSpan(3 * k, k).ToArray());
    }

    [Fact]
    public void LightGCN_scores_a_block_of_items_as_the_same_columns_of_whole_rows_and_ranks_many_users_a_batch()
    {
        var train = TestGraphs.RandomInteractions(30, 50, 300, seed: 3);
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        using var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Seed = 4 });
        using var scorer = new LightGcnScorer(model);
        using var scope = NewDisposeScope();
        int[] users = [0, 7, 29, 7];

        var block = scorer.Score(users, 11, 17);

        Assert.Equal(scorer.Score(users).narrow(1, 11, 17).contiguous().data<float>().ToArray(), block.contiguous().data<float>().ToArray());
        Assert.True(scorer.UsersPerBatch >= FullRankingEvaluator.BlockedUsersPerBatch);
        Assert.True(scorer.ItemsPerCall(FullRankingEvaluator.BlockedUsersPerBatch) * FullRankingEvaluator.BlockedUsersPerBatch <= 4 << 20);
    }

    [Theory]
    [InlineData("lightgcn")]
    [InlineData("gf-cf")]
    public void An_evaluation_over_blocks_of_seven_items_gives_every_metric_of_one_over_whole_rows(string model)
    {
        var train = TestGraphs.RandomInteractions(60, 90, 700, seed: 5);
        var test = TestGraphs.RandomInteractions(60, 90, 200, seed: 6);
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        using var lightGcn = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Seed = 7 });
        var scorer = ScorerOf(model, train, lightGcn, rank: 8);
        using var disposal = (IDisposable)scorer;
        var heldOut = TestGraphs.FromPairs(60, 90, Enumerable.Range(0, 60).SelectMany(u => test.ItemsOf(u).ToArray()
            .Where(i => !train.Contains(u, i)).Select(i => (u, i))));

        var whole = FullRankingEvaluator.Evaluate(scorer, heldOut, [train], [5, 20]);
        var blocked = FullRankingEvaluator.Evaluate(new InBlocksOf(scorer, 7), heldOut, [train], [5, 20]);

        Assert.True(whole.Users.Count > 40);
        Assert.Equal(whole.Summaries.Keys.Order(StringComparer.Ordinal), blocked.Summaries.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, summary) in whole.Summaries)
        {
            Assert.Equal(summary.Mean, blocked.Summaries[name].Mean);
        }
    }

    [Theory]
    [InlineData(0, 50)]
    [InlineData(11, 17)]
    [InlineData(49, 1)]
    public void GF_CF_scores_a_block_of_items_as_the_same_columns_of_whole_rows(int firstItem, int itemCount)
    {
        var train = TestGraphs.RandomInteractions(30, 50, 300, seed: 3);
        using var scorer = GraphFilterScorer.Fit(train, new SpectralFilterOptions { Rank = 6, Alpha = 0.3, Oversampling = 50 });
        using var scope = NewDisposeScope();
        int[] users = [0, 7, 29, 7];

        var block = scorer.Score(users, firstItem, itemCount);

        // The ideal term's dense product may round differently in the last bit for another shape (BLAS picks its kernel by shape).
        var whole = scorer.Score(users).contiguous().data<float>().ToArray();
        var expected = Enumerable.Range(0, users.Length).SelectMany(b => whole.Skip((b * 50) + firstItem).Take(itemCount)).ToArray();
        var actual = block.contiguous().data<float>().ToArray();
        Assert.Equal(expected.Length, actual.Length);
        Assert.All(expected.Zip(actual), pair => Assert.Equal(pair.First, pair.Second, 1e-6f));
        var alone = scorer.ScoreRows([train.ItemsOf(29).ToArray()], firstItem, itemCount).contiguous().data<float>().ToArray();
        Assert.All(actual.Skip(2 * itemCount).Take(itemCount).Zip(alone), pair => Assert.Equal(pair.First, pair.Second, 1e-6f));
        Assert.True(scorer.UsersPerBatch >= GraphFilterScorer.BatchColumns);
        Assert.True(scorer.ItemsPerCall(GraphFilterScorer.BatchColumns) * GraphFilterScorer.BatchColumns <= 4 << 20);
    }

    [Theory]
    [InlineData("lightgcn", 3)]
    [InlineData("lightgcn", 20)]
    [InlineData("gf-cf", 3)]
    [InlineData("gf-cf", 20)]
    [InlineData("chebycf", 3)]
    [InlineData("chebycf", 70)]
    public void Scores_written_into_a_buffer_that_held_other_values_are_the_scores_made_afresh(string model, int userCount)
    {
        var train = TestGraphs.RandomInteractions(30, 50, 300, seed: 3);
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        using var lightGcn = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Seed = 4 });
        var scorer = ScorerOf(model, train, lightGcn, rank: 6);
        using var disposal = (IDisposable)scorer;
        using var buffer = new ScoreBuffer();
        using var scope = NewDisposeScope();
        int[] users = [.. Enumerable.Range(0, userCount).Select(u => (u * 7) % 30)];
        using var nan = float.NaN.ToScalar();

        foreach (var (firstItem, itemCount) in new[] { (0, 50), (11, 17), (0, 50) })
        {
            var scores = buffer.Scores(users.Length, itemCount);
            scores.fill_(nan);
            scorer.ScoreInto(users, firstItem, itemCount, scores);

            var made = itemCount == 50 ? scorer.Score(users) : scorer.Score(users, firstItem, itemCount);
            Assert.Equal(made.contiguous().data<float>().ToArray(), scores.contiguous().data<float>().ToArray());
        }
    }

    [Fact]
    public void GF_CF_linear_scores_of_a_wide_block_are_the_same_bits_as_those_columns_of_whole_rows()
    {
        // α = 0 leaves the linear part alone; 4,500 items make several runs of the product and of the transpose.
        var train = TestGraphs.RandomInteractions(40, 6000, 20000, seed: 12);
        using var scorer = GraphFilterScorer.Fit(train, new SpectralFilterOptions { Rank = 4, Alpha = 0 });
        using var scope = NewDisposeScope();
        int[] users = [.. Enumerable.Range(0, 20)];

        var whole = scorer.Score(users).contiguous().data<float>().ToArray();
        var block = scorer.Score(users, 1000, 4500).contiguous().data<float>().ToArray();

        Assert.True(users.Length >= GraphFilterScorer.FewRows, "whole rows of a batch, not one row at a time");
        Assert.Contains(block, score => score > 0);
        Assert.Equal(users.SelectMany(u => whole.Skip((u * 6000) + 1000).Take(4500)), block);
    }

    [Fact]
    public void A_single_GF_CF_row_scored_through_its_own_neighbourhood_equals_its_row_of_a_batch()
    {
        var train = TestGraphs.RandomInteractions(30, 50, 300, seed: 9);
        using var scorer = GraphFilterScorer.Fit(train, new SpectralFilterOptions { Rank = 6, Alpha = 0.3, Oversampling = 50 });
        using var scope = NewDisposeScope();
        int[] users = [.. Enumerable.Range(0, 30)];

        var batch = scorer.Score(users).contiguous().data<float>().ToArray();

        foreach (int user in users)
        {
            var alone = scorer.Score([user]).contiguous().data<float>().ToArray();
            Assert.All(batch.Skip(user * 50).Take(50).Zip(alone), pair => Assert.Equal(pair.First, pair.Second, 1e-6f));
        }
    }

    [Fact]
    public void Visitors_are_scored_in_the_blocks_and_batches_of_the_model_behind_them()
    {
        var train = TestGraphs.RandomInteractions(30, 50, 300, seed: 3);
        var given = TestGraphs.RandomInteractions(30, 50, 120, seed: 8);
        using var adjacency = NormalizedAdjacency.FromInteractions(train);
        using var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Seed = 4 });
        using var lightGcn = new LightGcnScorer(model);
        using var filter = GraphFilterScorer.Fit(train, new SpectralFilterOptions { Rank = 6, Alpha = 0.3, Oversampling = 50 });
        using var scope = NewDisposeScope();
        int[] users = [1, 4, 22];

        foreach (IRowScorer scorer in new IRowScorer[] { lightGcn, filter })
        {
            var visitors = new VisitorScorer(scorer, given);
            var whole = visitors.Score(users).contiguous().data<float>().ToArray();
            var block = visitors.Score(users, 11, 17).contiguous().data<float>().ToArray();

            var expected = Enumerable.Range(0, users.Length).SelectMany(b => whole.Skip((b * 50) + 11).Take(17)).ToArray();
            Assert.All(expected.Zip(block), pair => Assert.Equal(pair.First, pair.Second, 1e-6f));
            Assert.Equal(scorer.UsersPerBatch, visitors.UsersPerBatch);
            Assert.Equal(scorer.ItemsPerCall(64), visitors.ItemsPerCall(64));
        }
    }

    /// <summary>A scorer's block scores, asked for <c>items</c> at a time.</summary>
    private sealed class InBlocksOf(IScorer inner, int items) : IScorer
    {
        public int ItemCount => inner.ItemCount;

        public Tensor Score(ReadOnlySpan<int> users) => inner.Score(users);

        public Tensor Score(ReadOnlySpan<int> users, int firstItem, int itemCount) => inner.Score(users, firstItem, itemCount);

        public int ItemsPerCall(int users) => items;
    }

    /// <summary>Scores from a fixed matrix; with <c>itemsPerCall</c> it asks to be called for blocks of that many items.</summary>
    /// <summary>
    /// GF-CF's or ChebyCF's scorer of <paramref name="train"/> (an exact SVD: oversampling up to the items), or LightGCN's
    /// of <paramref name="lightGcn"/>.
    /// </summary>
    private static IRowScorer ScorerOf(string model, Interactions train, LightGcnModel lightGcn, int rank)
    {
        var chebyCf = SpectralFilterOptions.ChebyCf();
        chebyCf.Rank = rank;
        chebyCf.Oversampling = train.ItemCount;
        return model switch
        {
            "gf-cf" => GraphFilterScorer.Fit(train, new SpectralFilterOptions { Rank = rank, Alpha = 0.3, Oversampling = train.ItemCount }),
            "chebycf" => SpectralFilterScorer.Fit(train, chebyCf),
            _ => new LightGcnScorer(lightGcn),
        };
    }

    private sealed class MatrixScorer(float[,] scores, int? itemsPerCall) : IScorer
    {
        public int ItemCount => scores.GetLength(1);

        public Tensor Score(ReadOnlySpan<int> users) => Score(users, 0, ItemCount);

        public Tensor Score(ReadOnlySpan<int> users, int firstItem, int itemCount)
        {
            var rows = new float[users.Length * itemCount];
            for (int b = 0; b < users.Length; b++)
            {
                for (int i = 0; i < itemCount; i++)
                {
                    rows[(b * itemCount) + i] = scores[users[b], firstItem + i];
                }
            }

            return tensor(rows, [users.Length, itemCount]);
        }

        public int ItemsPerCall(int users) => itemsPerCall ?? ItemCount;
    }
}
