using System.Globalization;
using GraphRec.Data;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

/// <summary>
/// Recommendations for visitors the model was not trained on: exact for the graph filter, LightGCN's fold-in against
/// its formula computed densely, the id handling, and both models' files.
/// </summary>
public sealed class NewUserTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-newusers-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>60 users with ids 1000.., 45 items with ids 500.., about 8 random items each; a random 20% held out.</summary>
    private static (InteractionDataset Dataset, DatasetSplit Split) Data()
    {
        var random = new Random(11);
        const int users = 60, items = 45;
        var rows = Enumerable.Range(0, users).Select(_ => Enumerable.Range(0, items).Where(_ => random.NextDouble() < 0.18).ToArray()).ToArray();
        var pointers = new int[users + 1];
        for (int u = 0; u < users; u++)
        {
            pointers[u + 1] = pointers[u] + rows[u].Length;
        }

        var all = new Interactions(users, items, pointers, [.. rows.SelectMany(r => r)]);
        var dataset = new InteractionDataset("planted", new IdMap(Enumerable.Range(1000, users).Select(u => (long)u)),
            new IdMap(Enumerable.Range(500, items).Select(i => (long)i)), all, null, new LoadReport(all.Count, 0, 0, 0, []));
        return (dataset, dataset.Split(Splitters.RandomHoldout(0.2, seed: 3)));
    }

    [Fact]
    public void A_new_user_with_a_training_users_items_gets_exactly_that_users_scores_from_the_filter()
    {
        var (dataset, split) = Data();
        using var filter = SpectralFilter.Fit(dataset, split, new SpectralFilterOptions { Rank = 16 });
        int checkedUsers = 0;
        for (int user = 0; user < dataset.Users.Count; user++)
        {
            var items = split.Train.ItemsOf(user).ToArray();
            if (items.Length == 0)
            {
                continue;
            }

            long userId = dataset.Users.GetNumericId(user);
            var known = filter.Recommend(userId, count: dataset.Items.Count);
            var visitor = filter.RecommendForItems([.. items.Select(dataset.Items.GetNumericId)], count: dataset.Items.Count);

            Assert.Equal(known.Select(r => r.ItemId), visitor.Items.Select(r => r.ItemId));
            Assert.Equal(known.Select(r => r.Score), visitor.Items.Select(r => r.Score));
            Assert.Empty(visitor.UnknownItemIds);
            checkedUsers++;
        }

        Assert.True(checkedUsers > 50, $"only {checkedUsers} users had training items");
    }

    [Fact]
    public void LightGcn_folds_a_visitor_in_as_its_formula_computed_with_the_dense_adjacency_gives()
    {
        var (dataset, split) = Data();
        var options = new LightGcnOptions { EmbeddingDimension = 8, Layers = 3, Epochs = 3, BatchSize = 64, Cutoffs = [5], ValidationMetric = "recall@5" };
        using var model = LightGcn.Train(dataset, split, options);
        long[] visitorItems = [501, 507, 530, 544];
        var result = model.RecommendForItems([.. visitorItems, 507], count: dataset.Items.Count);

        // Reference: E(k) = Â E(k-1) with the dense Â; e_v(k) = Σ_i E(k-1)_i / sqrt(|I| d_i); e_v(0) = mean E(0)_i.
        using var scope = NewDisposeScope();
        int users = dataset.Users.Count;
        var dense = model.Model.Adjacency.Sparse.to_dense().to_type(ScalarType.Float64);
        var degrees = dense.count_nonzero([1L]).to_type(ScalarType.Float64);
        int[] indices = [.. visitorItems.Select(dataset.Items.GetIndex)];
        var layer = model.Model.Embedding.detach().to_type(ScalarType.Float64);
        var weights = model.Model.LayerWeights;
        var final = layer.Times(weights[0]);
        var visitor = zeros(options.EmbeddingDimension, dtype: ScalarType.Float64);
        foreach (int i in indices)
        {
            visitor = visitor.Plus(layer[users + i].Times(weights[0]).DividedBy(indices.Length));
        }

        for (int k = 1; k < weights.Count; k++)
        {
            foreach (int i in indices)
            {
                visitor = visitor.Plus(layer[users + i].Times(weights[k]).DividedBy(Math.Sqrt(indices.Length * degrees[users + i].item<double>())));
            }

            layer = dense.mm(layer);
            final = final.Plus(layer.Times(weights[k]));
        }

        var expected = final[users..].mv(visitor);
        foreach (var recommendation in result.Items)
        {
            Assert.Equal(expected[recommendation.ItemIndex].item<double>(), recommendation.Score, 1e-5);
        }

        Assert.Equal(dataset.Items.Count - visitorItems.Length, result.Items.Count);
        Assert.DoesNotContain(result.Items, r => visitorItems.Contains(long.Parse(r.ItemId, CultureInfo.InvariantCulture)));
        Assert.Equal(["501", "507", "530", "544"], result.UsedItemIds);
    }

    [Fact]
    public void Unknown_item_ids_are_reported_and_an_empty_or_wholly_unknown_list_is_refused()
    {
        var (dataset, split) = Data();
        using var filter = SpectralFilter.Fit(dataset, split, new SpectralFilterOptions { Rank = 8 });

        var result = filter.RecommendForItems([501, 7, 502, 7, -3], count: 5);

        Assert.Equal(["7", "-3"], result.UnknownItemIds);
        Assert.Equal(["501", "502"], result.UsedItemIds);
        Assert.Equal(5, result.Items.Count);
        Assert.DoesNotContain(result.Items, r => r.ItemId is "501" or "502");
        Assert.Throws<ArgumentException>(() => filter.RecommendForItems(Array.Empty<long>(), 5));
        Assert.Throws<ArgumentException>(() => filter.RecommendForItems(Array.Empty<string>(), 5));
        var error = Assert.ThrowsAny<KeyNotFoundException>(() => filter.RecommendForItems([7, 8], 5));
        Assert.Contains("\"7\", \"8\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_gf_cf_recipe_is_scored_by_gf_cfs_own_scorer_to_the_last_bit_and_any_other_shape_by_the_polynomial_one()
    {
        var (dataset, split) = Data();
        var recipe = SpectralFilterOptions.GfCf();
        recipe.Rank = 12;
        using var filter = SpectralFilter.Fit(dataset, split, recipe);
        using var reference = GraphFilterScorer.Fit(split.Train, recipe);
        var sharpened = SpectralFilterOptions.GfCf();
        (sharpened.Rank, sharpened.SharpeningTime) = (12, 0.5);
        using var other = SpectralFilter.Fit(dataset, split, sharpened);
        using var scope = NewDisposeScope();
        int[] users = [.. Enumerable.Range(0, dataset.Users.Count)];

        Assert.Equal("gf-cf", filter.ModelKind);
        Assert.Equal(reference.Score(users).data<float>().ToArray(), filter.Scorer.Score(users).data<float>().ToArray());
        Assert.Equal("spectral", other.ModelKind);
    }

    [Fact]
    public async Task A_saved_filter_loads_as_its_kind_and_recommends_the_same_without_recomputing_the_svd()
    {
        var (dataset, split) = Data();
        string path = Path.Combine(_folder, "filter.graphrec");
        using var filter = SpectralFilter.Fit(dataset, split, new SpectralFilterOptions { Rank = 12, Alpha = 0.5 });
        await filter.SaveAsync(path);

        using var loaded = await Recommenders.LoadAsync(path);
        using var typed = await SpectralFilter.LoadAsync(path);

        Assert.Equal("gf-cf", loaded.ModelKind);
        Assert.IsType<SpectralFilter>(loaded);
        Assert.Equal(12, typed.Options.Rank);
        Assert.Equal(0.5, typed.Options.Alpha, 6);
        for (int user = 0; user < dataset.Users.Count; user += 7)
        {
            long id = dataset.Users.GetNumericId(user);
            Assert.Equal(filter.Recommend(id, 10), loaded.Recommend(id, 10));
        }

        Assert.Equal(filter.SimilarItems(510, 5), loaded.SimilarItems(510, 5));
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => LightGcn.LoadAsync(path));
        Assert.Contains("SpectralFilter.LoadAsync", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_lightgcn_file_still_has_format_version_1_and_loads_as_lightgcn_through_either_loader()
    {
        var (dataset, split) = Data();
        string path = Path.Combine(_folder, "lightgcn.graphrec");
        using var model = LightGcn.Train(dataset, split, new LightGcnOptions { EmbeddingDimension = 4, Epochs = 1, Cutoffs = [5], ValidationMetric = "recall@5" });
        await model.SaveAsync(path);

        byte[] bytes = await File.ReadAllBytesAsync(path);
        using var loaded = await Recommenders.LoadAsync(path);

        Assert.Equal(1, BitConverter.ToInt32(bytes, 8));
        Assert.Equal("lightgcn", loaded.ModelKind);
        Assert.Equal(model.Recommend(1000, 5), loaded.Recommend(1000, 5));
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => SpectralFilter.LoadAsync(path));
        Assert.Contains("LightGcn.LoadAsync", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void New_user_evaluation_scores_held_out_users_from_their_given_items_only()
    {
        var (dataset, _) = Data();
        var newUsers = dataset.SplitNewUsers(0.2, seed: 4);
        var trainOnly = new DatasetSplit(newUsers.Train, null, newUsers.Hidden, 0);
        using var filter = SpectralFilter.Fit(dataset, trainOnly, new SpectralFilterOptions { Rank = 8, Cutoffs = [5] });

        var evaluation = filter.EvaluateNewUsers(newUsers.Given, newUsers.Hidden);

        // The same figure by hand: each new user's visitor recommendations against its hidden items.
        double recall = 0;
        int evaluated = 0;
        for (int user = 0; user < dataset.Users.Count; user++)
        {
            if (newUsers.Hidden.CountOf(user) == 0)
            {
                continue;
            }

            long[] given = [.. newUsers.Given.ItemsOf(user).ToArray().Select(dataset.Items.GetNumericId)];
            var top = filter.RecommendForItems(given, 5).Items.Select(r => r.ItemIndex).ToHashSet();
            int hits = newUsers.Hidden.ItemsOf(user).ToArray().Count(top.Contains);
            recall += (double)hits / newUsers.Hidden.CountOf(user);
            evaluated++;
        }

        Assert.Equal(evaluated, evaluation.Users.Count);
        Assert.Equal(recall / evaluated, evaluation.Summaries["recall@5"].Mean, 12);
    }
}
