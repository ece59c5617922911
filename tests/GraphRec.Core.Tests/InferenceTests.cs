using GraphRec.Core;
using GraphRec.Data;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

public sealed class InferenceTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-inference-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// 3 users (ids 10, 20, 30) and 4 items (ids 100..400) with hand-set embeddings and no propagation (0 layers), so
    /// every score is a dot product we can write down.
    /// </summary>
    private static (NormalizedAdjacency Adjacency, LightGcnModel Model, ModelCatalog Catalog) Fixture()
    {
        var train = new Interactions(3, 4, [0, 1, 2, 3], [0, 1, 2]);
        var adjacency = NormalizedAdjacency.FromEdges(3, 4, train.ExpandUsers(), train.Items);
        var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 2, Layers = 0, Seed = 1 });
        float[] embeddings =
        [
            1, 0,   // user 10
            0, 1,   // user 20
            1, 1,   // user 30
            3, 0,   // item 100
            2, 0.1f, // item 200
            0, 2,   // item 300
            1, 1,   // item 400
        ];
        using (no_grad())
        {
            model.Embedding.copy_(tensor(embeddings, [7, 2]));
        }

        var info = new ItemInfo?[] { new("Alpha", 1995, ["Drama"]), new("Beta, The", null, []), new("Gamma", 2001, ["Comedy", "Romance"]), null };
        var catalog = new ModelCatalog("fixture", new IdMap([10, 20, 30]), new IdMap([100, 200, 300, 400]), train, info);
        return (adjacency, model, catalog);
    }

    [Fact]
    public void Recommends_original_ids_with_metadata_best_first_without_training_items()
    {
        var (adjacency, model, catalog) = Fixture();
        using (adjacency)
        using (model)
        using (var recommender = new LightGcnRecommender(model, catalog))
        {
            // User 10 = (1, 0): scores 3, 2, 0, 1; item 100 is in train.
            var result = recommender.Recommend("10", count: 2);

            Assert.Equal(["200", "400"], result.Select(r => r.ItemId));
            Assert.Equal(2f, result[0].Score);
            Assert.Equal("Beta, The", result[0].Info!.Title);
            Assert.Null(result[1].Info);
        }
    }

    [Fact]
    public void Unknown_ids_throw_a_key_not_found_error_naming_them_and_popular_items_suit_newcomers()
    {
        var (adjacency, model, catalog) = Fixture();
        using (adjacency)
        using (model)
        {
            using var recommender = new LightGcnRecommender(model, catalog);
            var error = Assert.ThrowsAny<KeyNotFoundException>(() => recommender.Recommend("99"));
            Assert.Contains("user id \"99\"", error.Message, StringComparison.Ordinal);
            Assert.Contains("item id \"999\"", Assert.ThrowsAny<KeyNotFoundException>(() => recommender.SimilarItems("999")).Message, StringComparison.Ordinal);
            Assert.Equal(["100", "200", "300"], recommender.PopularItems(3).Select(r => r.ItemId));
        }
    }

    [Fact]
    public void Similar_items_are_ranked_by_cosine_and_exclude_the_item_itself()
    {
        var (adjacency, model, catalog) = Fixture();
        using (adjacency)
        using (model)
        using (var recommender = new LightGcnRecommender(model, catalog))
        {
            // Item 100 = (3, 0): cosine 0.9988 with 200, 0.7071 with 400, 0 with 300.
            var similar = recommender.SimilarItems("100", count: 3);

            Assert.Equal(["200", "400", "300"], similar.Select(r => r.ItemId));
            Assert.Equal(2 / Math.Sqrt(4.01), similar[0].Score, 5);
        }
    }

    [Fact]
    public void Embeddings_export_as_plain_arrays_in_index_order()
    {
        var (adjacency, model, catalog) = Fixture();
        using (adjacency)
        using (model)
        using (var recommender = new LightGcnRecommender(model, catalog))
        {
            var export = recommender.ExportEmbeddings();

            Assert.Equal(2, export.Dimension);
            Assert.Equal(["10", "20", "30"], export.UserIds);
            Assert.Equal([1f, 1f], export.User(2).ToArray());
            Assert.Equal([2f, 0.1f], export.Item(1).ToArray());
        }
    }

    private static (LightGcnModel Model, NormalizedAdjacency Adjacency, ModelCatalog Catalog) TrainedModel()
    {
        var random = new Random(4);
        var pairs = Enumerable.Range(0, 400).Select(_ => (random.Next(30), random.Next(25))).Distinct().OrderBy(p => p).ToArray();
        var pointers = new int[31];
        foreach (var (user, _) in pairs)
        {
            pointers[user + 1]++;
        }

        for (int u = 0; u < 30; u++)
        {
            pointers[u + 1] += pointers[u];
        }

        var train = new Interactions(30, 25, pointers, [.. pairs.Select(p => p.Item2)]);
        var adjacency = NormalizedAdjacency.FromEdges(30, 25, train.ExpandUsers(), train.Items);
        var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Seed = 5 });
        new LightGcnTrainer(new LightGcnOptions { Epochs = 2, BatchSize = 64, LearningRate = 0.01 }).Train(model, train);
        var catalog = new ModelCatalog("random", new IdMap(Enumerable.Range(0, 30).Select(u => 1000L + u)),
            new IdMap(Enumerable.Range(0, 25).Select(i => 7L * i)), train, null);
        return (model, adjacency, catalog);
    }

    [Fact]
    public async Task A_reloaded_model_scores_exactly_as_before_saving()
    {
        var (model, adjacency, catalog) = TrainedModel();
        string path = Path.Combine(_folder, "model.graphrec");
        float[][] before;
        using (adjacency)
        using (model)
        using (var recommender = new LightGcnRecommender(model, catalog))
        {
            before = [.. Enumerable.Range(0, 30).Select(recommender.ScoreAll)];
            await ModelFile.SaveAsync(model, catalog, path);
            await ModelFile.SaveAsync(model, catalog, path); // overwriting is atomic too
        }

        Assert.Equal(["model.graphrec"], Directory.GetFiles(_folder).Select(Path.GetFileName));
        using var loaded = await ModelFile.LoadAsync(path);
        using var reloaded = new LightGcnRecommender(loaded.Model, loaded.Catalog);
        for (int user = 0; user < 30; user++)
        {
            Assert.Equal(before[user], reloaded.ScoreAll(user));
        }

        Assert.Equal(catalog.Users.Ids, loaded.Catalog.Users.Ids);
        Assert.True(loaded.Catalog.Users.IsNumeric);
        Assert.Equal(catalog.Train.Items.ToArray(), loaded.Catalog.Train.Items.ToArray());
        Assert.Equal(2, loaded.Model.Options.Layers);
    }

    [Fact]
    public async Task Damaged_files_say_what_is_wrong()
    {
        var (adjacency, model, catalog) = Fixture();
        string path = Path.Combine(_folder, "model.graphrec");
        using (adjacency)
        using (model)
        {
            await ModelFile.SaveAsync(model, catalog, path);
        }

        byte[] good = await File.ReadAllBytesAsync(path);

        async Task<string> ErrorFor(byte[] bytes)
        {
            await File.WriteAllBytesAsync(path, bytes);
            var error = await Assert.ThrowsAsync<InvalidDataException>(() => ModelFile.LoadAsync(path));
            Assert.Contains(path, error.Message, StringComparison.Ordinal);
            return error.Message;
        }

        Assert.Contains("truncated", await ErrorFor(good[..^10]), StringComparison.Ordinal);
        var flipped = (byte[])good.Clone();
        flipped[^5] ^= 0x40;
        Assert.Contains("checksum", await ErrorFor(flipped), StringComparison.Ordinal);
        var newer = (byte[])good.Clone();
        newer[8] = 99;
        Assert.Contains("format version 99", await ErrorFor(newer), StringComparison.Ordinal);
        Assert.Contains("not a GraphRec model", await ErrorFor("hello, world"u8.ToArray()), StringComparison.Ordinal);
        await Assert.ThrowsAsync<FileNotFoundException>(() => ModelFile.LoadAsync(Path.Combine(_folder, "missing.graphrec")));
    }
}
