using System.Buffers.Binary;
using System.Text;
using GraphRec.Data;
using GraphRec.Tests;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

/// <summary>
/// Ids as a shop holds them (customer codes, SKUs, with '/', spaces, '+' and non-ASCII letters): recommendations, similar
/// items, a visitor's items, the export and the model file, all by the id as given; and the files written before text
/// ids existed still load.
/// </summary>
public sealed class TextIdTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-text-ids-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly string[] UserIds =
        [.. Enumerable.Range(0, 26).Select(u => $"cust-{u:00}"), "cust/17", "cust 18", "kund-ü", "a+b"];

    private static readonly string[] ItemIds = [.. Enumerable.Range(0, 20).Select(i => $"SKU-{i * 7:0000}")];

    /// <summary>30 users over 20 items, both with text ids (indices in the ordinal order of the ids).</summary>
    private static (InteractionDataset Dataset, DatasetSplit Split) Data(bool textItems = true)
    {
        var all = TestGraphs.RandomInteractions(30, 20, 220, seed: 11);
        var items = textItems ? new IdMap(ItemIds) : new IdMap(Enumerable.Range(0, 20).Select(i => 7L * i));
        var dataset = new InteractionDataset("shop", new IdMap(UserIds), items, all, null, new LoadReport(all.Count, 0, 0, 0, []));
        return (dataset, new DatasetSplit(all, null, all, 0));
    }

    public static TheoryData<string> Models => ["lightgcn", "gf-cf"];

    private static IRecommender Fit(string kind, InteractionDataset dataset, DatasetSplit split) => kind == "gf-cf"
        ? SpectralFilter.Fit(dataset, split, new SpectralFilterOptions { Rank = 4 })
        : LightGcn.Train(dataset, split, new LightGcnOptions { EmbeddingDimension = 8, Layers = 2, Epochs = 2, BatchSize = 64, Cutoffs = [5], ValidationMetric = "recall@5" });

    /// <summary>The top <paramref name="count"/> item indices of user index <paramref name="user"/> from the scorer itself, training items left out, ties to the lower index.</summary>
    private static int[] ReferenceTop(IRecommender model, int user, int count)
    {
        using var scope = NewDisposeScope();
        float[] scores = ModelScorers.Of(model).Score([user]).to(CPU).data<float>().ToArray();
        var seen = model.TrainingInteractions.ItemsOf(user).ToArray().ToHashSet();
        return [.. Enumerable.Range(0, scores.Length).Where(i => !seen.Contains(i)).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(count)];
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Recommendations_by_text_id_are_the_scorers_top_items_named_by_their_text_ids(string kind)
    {
        var (dataset, split) = Data();
        using var model = Fit(kind, dataset, split);

        foreach (string userId in UserIds)
        {
            int user = dataset.Users.GetIndex(userId);
            var result = model.Recommend(userId, 5);

            Assert.Equal(ReferenceTop(model, user, 5), result.Select(r => r.ItemIndex));
            Assert.Equal(result.Select(r => ItemIds.Order(StringComparer.Ordinal).ElementAt(r.ItemIndex)), result.Select(r => r.ItemId));
        }

        var many = model.RecommendMany(["a+b", "cust/17"], 5);
        Assert.Equal(model.Recommend("a+b", 5).Select(r => r.ItemId), many[0].Select(r => r.ItemId));
        Assert.Equal(model.Recommend("cust/17", 5).Select(r => r.ItemId), many[1].Select(r => r.ItemId));
    }

    [Fact]
    public void A_visitor_with_a_users_text_item_ids_gets_that_users_recommendations_from_the_graph_filter()
    {
        var (dataset, split) = Data();
        using var filter = SpectralFilter.Fit(dataset, split, new SpectralFilterOptions { Rank = 4 });
        string userId = "kund-ü";
        string[] items = [.. split.Train.ItemsOf(dataset.Users.GetIndex(userId)).ToArray().Select(dataset.Items.GetId)];

        var visitor = filter.RecommendForItems([.. items, "SKU-9999"], 5);

        Assert.Equal(filter.Recommend(userId, 5).Select(r => r.ItemId), visitor.Items.Select(r => r.ItemId));
        Assert.Equal(items.Order(StringComparer.Ordinal), visitor.UsedItemIds);
        Assert.Equal(["SKU-9999"], visitor.UnknownItemIds);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Similar_items_and_the_export_carry_the_text_ids(string kind)
    {
        var (dataset, split) = Data();
        using var model = Fit(kind, dataset, split);

        var similar = model.SimilarItems("SKU-0021", 4);
        var export = model.ExportEmbeddings();

        Assert.Equal(4, similar.Count);
        Assert.DoesNotContain(similar, r => r.ItemId == "SKU-0021");
        Assert.All(similar, r => Assert.Equal(dataset.Items.GetId(r.ItemIndex), r.ItemId));
        Assert.Equal(UserIds.Order(StringComparer.Ordinal), export.UserIds);
        Assert.Equal(ItemIds, export.ItemIds);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void An_unknown_text_id_is_named_exactly_as_given_in_quotes(string kind)
    {
        var (dataset, split) = Data();
        using var model = Fit(kind, dataset, split);

        var user = Assert.ThrowsAny<KeyNotFoundException>(() => model.Recommend("Cust-01"));
        var item = Assert.ThrowsAny<KeyNotFoundException>(() => model.SimilarItems("sku-0007"));
        var visitor = Assert.ThrowsAny<KeyNotFoundException>(() => model.RecommendForItems(["x y", "7"]));
        var many = Assert.ThrowsAny<KeyNotFoundException>(() => model.RecommendMany(["cust-01", "cust 99"]));

        Assert.Contains("user id \"Cust-01\" is not in the model", user.Message, StringComparison.Ordinal);
        Assert.Contains("item id \"sku-0007\" is not in the model", item.Message, StringComparison.Ordinal);
        Assert.Contains("\"x y\", \"7\"", visitor.Message, StringComparison.Ordinal);
        Assert.Contains("user id \"cust 99\"", many.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task A_model_with_text_ids_saves_as_version_3_and_loads_with_the_same_ids_and_answers(string kind)
    {
        var (dataset, split) = Data();
        using var model = Fit(kind, dataset, split);
        string path = Path.Combine(_folder, $"{kind}.graphrec");
        await model.SaveAsync(path);

        using var loaded = await Recommenders.LoadAsync(path);

        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian((await File.ReadAllBytesAsync(path)).AsSpan(8)));
        Assert.False(loaded.Users.IsNumeric);
        Assert.Equal(model.Users.Ids, loaded.Users.Ids);
        Assert.Equal(model.Items.Ids, loaded.Items.Ids);
        foreach (string userId in UserIds)
        {
            Assert.Equal(model.Recommend(userId, 5), loaded.Recommend(userId, 5));
        }

        Assert.Equal(model.SimilarItems("SKU-0133", 3), loaded.SimilarItems("SKU-0133", 3));
    }

    [Fact]
    public async Task Text_user_ids_beside_integer_item_ids_keep_each_axis_as_it_is()
    {
        var (dataset, split) = Data(textItems: false);
        using var model = SpectralFilter.Fit(dataset, split, new SpectralFilterOptions { Rank = 4 });
        string path = Path.Combine(_folder, "mixed.graphrec");
        await model.SaveAsync(path);

        using var loaded = await Recommenders.LoadAsync(path);

        Assert.False(loaded.Users.IsNumeric);
        Assert.True(loaded.Items.IsNumeric);
        Assert.Equal(model.Recommend("cust 18", 5), loaded.Recommend("cust 18", 5));
        Assert.Equal(model.SimilarItems(21, 3), loaded.SimilarItems("21", 3));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public async Task A_model_with_integer_ids_is_still_written_in_the_version_older_readers_load(string kind)
    {
        var all = TestGraphs.RandomInteractions(30, 20, 220, seed: 11);
        var dataset = new InteractionDataset("numeric", new IdMap(Enumerable.Range(1, 30).Select(u => (long)u)),
            new IdMap(Enumerable.Range(1, 20).Select(i => 10L * i)), all, null, new LoadReport(all.Count, 0, 0, 0, []));
        using var model = Fit(kind, dataset, new DatasetSplit(all, null, all, 0));
        string path = Path.Combine(_folder, "numeric.graphrec");
        await model.SaveAsync(path);

        byte[] bytes = await File.ReadAllBytesAsync(path);

        Assert.Equal(kind == "gf-cf" ? 2 : 1, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(8)));
        Assert.DoesNotContain("\"UserIds\"", Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
    }

    /// <summary>Files written by GraphRec before text ids (format versions 1 and 2), kept in the repository.</summary>
    [Theory]
    [InlineData("lightgcn-version1.graphrec", "lightgcn")]
    [InlineData("gf-cf-version2.graphrec", "gf-cf")]
    public async Task A_file_written_before_text_ids_still_loads_with_its_integer_ids(string file, string kind)
    {
        using var model = await Recommenders.LoadAsync(Path.Combine(AppContext.BaseDirectory, "Fixtures", file));

        Assert.Equal(kind, model.ModelKind);
        Assert.True(model.Users.IsNumeric);
        Assert.Equal(["10", "20", "30"], model.Users.Ids);
        Assert.Equal(["100", "200", "300", "400"], model.Items.Ids);
        Assert.Equal("Beta, The", model.ItemInfo![1]!.Title);
        var result = model.Recommend(10, 2);
        Assert.Equal(2, result.Count);
        Assert.DoesNotContain(result, r => r.ItemId == "100"); // user 10's training item
        Assert.Equal(result, model.Recommend("10", 2));
        if (kind == "lightgcn")
        {
            // The fixture's embeddings, no layers: user 10 = (1, 0) scores the items 3, 2, 0, 1.
            Assert.Equal(["200", "400"], result.Select(r => r.ItemId));
        }
    }

    /// <summary>A genuine LightGCN file with text user ids <c>ab</c>, <c>cd</c>, <c>ef</c> and integer item ids.</summary>
    private async Task<byte[]> GenuineTextAsync()
    {
        var train = new Interactions(3, 4, [0, 1, 2, 3], [0, 1, 2]);
        using var adjacency = NormalizedAdjacency.FromEdges(3, 4, train.ExpandUsers(), train.Items);
        using var model = new LightGcnModel(adjacency, new LightGcnOptions { EmbeddingDimension = 2, Layers = 1, Seed = 1 });
        var catalog = new ModelCatalog("genuine", new IdMap(["ab", "cd", "ef"]), new IdMap([10, 20, 30, 40]), train, null);
        string path = Path.Combine(_folder, "genuine.graphrec");
        await ModelFile.SaveAsync(model, catalog, path);
        return await File.ReadAllBytesAsync(path);
    }

    /// <summary>
    /// The text section after the header is: count (4 bytes), then per id its length byte and bytes; so byte 5 is the
    /// first id's first letter, byte 4 its length, byte 8 the second id's first letter. The item ids are integers.
    /// </summary>
    [Theory]
    [InlineData("out of order", "the user ids are not in the order of their indices")]
    [InlineData("repeated", "occurs twice")]
    [InlineData("empty", "user id 0 is empty")]
    [InlineData("not utf-8", "user id 0 is not valid UTF-8")]
    [InlineData("too long", "user id 0 claims")]
    [InlineData("count", "an array has 4 elements where the header implies 3")]
    [InlineData("unknown kind", "the header says the user ids are 'words'")]
    [InlineData("no kind", "the header says the user ids are '(missing)'")]
    [InlineData("integers out of order", "the item ids are not distinct and ascending (at position 0)")]
    public async Task A_forged_text_id_section_is_refused_with_what_is_wrong(string forgery, string expected)
    {
        byte[] genuine = await GenuineTextAsync();
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(genuine.AsSpan(8)));
        byte[] forged = forgery switch
        {
            "out of order" => ModelFileForgery.Forge(genuine, rest: tail => tail[5] = (byte)'z'),
            "repeated" => ModelFileForgery.Forge(genuine, rest: tail => (tail[8], tail[9]) = ((byte)'a', (byte)'b')),
            "empty" => ModelFileForgery.Forge(genuine, rest: tail => tail[4] = 0),
            "not utf-8" => ModelFileForgery.Forge(genuine, rest: tail => tail[5] = 0xFF),
            "too long" => ModelFileForgery.Forge(genuine, rest: tail => { tail.RemoveAt(4); tail.InsertRange(4, [0xFF, 0xFF, 0xFF, 0xFF, 0x07]); }),
            "count" => ModelFileForgery.Forge(genuine, rest: tail => tail[0] = 4),
            // The item ids follow the 13 bytes of user ids: their count, then int64 values from byte 17; 10 and 20 swapped.
            "integers out of order" => ModelFileForgery.Forge(genuine, rest: tail => (tail[17], tail[25]) = (tail[25], tail[17])),
            "unknown kind" => ModelFileForgery.Forge(genuine, header: h => h["UserIds"] = "words"),
            _ => ModelFileForgery.Forge(genuine, header: h => h.Remove("UserIds")),
        };
        string path = Path.Combine(_folder, "forged.graphrec");
        await File.WriteAllBytesAsync(path, forged);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => Recommenders.LoadAsync(path));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
