using GraphRec.Data;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

/// <summary>
/// LightGCN's warm start: the users and items a previous model knows, matched by original id, start from its layer-0
/// rows; new ones from the seeded rows a cold start gives them; checked against indices worked out by hand.
/// </summary>
public sealed class WarmStartTests : IDisposable
{
    private static readonly LightGcnOptions Small = new() { EmbeddingDimension = 4, Layers = 2, Epochs = 2, BatchSize = 8, Seed = 7 };
    private readonly string _folder = Directory.CreateTempSubdirectory("graphrec-warm-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A dataset of (user, item) pairs with the ids given, all of them training events.</summary>
    private static (InteractionDataset Dataset, DatasetSplit Split) Data(IdMap users, IdMap items, IEnumerable<(string User, string Item)> pairs)
    {
        var interactions = TestGraphs.FromPairs(users.Count, items.Count, pairs.Select(p => (users.GetIndex(p.User), items.GetIndex(p.Item))));
        var dataset = new InteractionDataset("warm", users, items, interactions, null, new LoadReport(interactions.Count, 0, 0, 0, []));
        return (dataset, DatasetSplit.TrainOnly(interactions));
    }

    /// <summary>Every user with every item but one, so that each has a negative to draw.</summary>
    private static IEnumerable<(string, string)> AlmostAll(IdMap users, IdMap items) =>
        from u in Enumerable.Range(0, users.Count)
        from i in Enumerable.Range(0, items.Count)
        where i != u % items.Count
        select (users.GetId(u), items.GetId(i));

    private static float[] Row(LightGcnModel model, int node)
    {
        using var scope = NewDisposeScope();
        return model.Embedding.detach()[node].data<float>().ToArray();
    }

    /// <summary>
    /// The new model's E(0) after the warm start next to a cold start's on the same data, with the expected
    /// (new index ← previous index) pairs of users and of items; every other row must be the cold start's.
    /// </summary>
    private static void AssertRows(IdMap previousUsers, IdMap previousItems, IdMap users, IdMap items,
        (int New, int Previous)[] knownUsers, (int New, int Previous)[] knownItems)
    {
        var (previousData, previousSplit) = Data(previousUsers, previousItems, AlmostAll(previousUsers, previousItems));
        using var previous = LightGcn.Train(previousData, previousSplit, Small);
        var (current, _) = Data(users, items, AlmostAll(users, items));
        using var adjacency = NormalizedAdjacency.FromInteractions(current.Interactions);
        using var cold = new LightGcnModel(adjacency, Small);
        using var warm = new LightGcnModel(adjacency, Small);

        var copied = previous.CopyLayerZeroInto(warm, users, items);

        Assert.Equal((knownUsers.Length, knownItems.Length), copied);
        int offset = users.Count, previousOffset = previousUsers.Count;
        var expected = knownUsers.Select(p => (p.New, p.Previous)).Concat(knownItems.Select(p => (offset + p.New, previousOffset + p.Previous))).ToDictionary();
        for (int node = 0; node < users.Count + items.Count; node++)
        {
            var source = expected.TryGetValue(node, out int previousNode) ? Row(previous.Model, previousNode) : Row(cold, node);
            Assert.Equal(source, Row(warm, node));
        }

        // Not vacuous: the previous model's rows differ from the cold start's.
        Assert.NotEqual(Row(cold, knownUsers[0].New), Row(warm, knownUsers[0].New));
    }

    [Fact]
    public void Known_text_ids_start_from_the_previous_rows_and_new_ones_from_the_seeded_rows()
    {
        // alice leaves, dave arrives: bob moves from index 1 to 0, carol from 2 to 1. sku-1 and sku-3 leave, sku-0 and
        // sku-5 arrive: sku-2 stays at 1, sku-4 moves from 3 to 2.
        AssertRows(
            new IdMap(["alice", "bob", "carol"]), new IdMap(["sku-1", "sku-2", "sku-3", "sku-4"]),
            new IdMap(["bob", "carol", "dave"]), new IdMap(["sku-0", "sku-2", "sku-4", "sku-5"]),
            knownUsers: [(0, 1), (1, 2)], knownItems: [(1, 1), (2, 3)]);
    }

    [Fact]
    public void Integer_ids_match_integer_ids_and_the_same_ids_given_as_text()
    {
        // Users: 10 leaves; 20 moves from 1 to 0, 30 from 2 to 1, "x-1" is new (and makes the new map textual).
        // Items: 1 leaves; 2 and 3 move down one, 4 is new.
        AssertRows(
            new IdMap([10L, 20, 30]), new IdMap([1L, 2, 3]),
            new IdMap(["20", "30", "x-1"]), new IdMap([2L, 3, 4]),
            knownUsers: [(0, 1), (1, 2)], knownItems: [(0, 1), (1, 2)]);
    }

    [Fact]
    public void A_warm_start_on_the_same_graph_before_any_epoch_scores_as_the_previous_model()
    {
        var users = new IdMap(Enumerable.Range(1, 30).Select(u => $"u{u}"));
        var items = new IdMap(Enumerable.Range(1, 20).Select(i => $"i{i}"));
        var pairs = TestGraphs.RandomInteractions(30, 20, 200, seed: 5);
        var (dataset, split) = Data(users, items,
            Enumerable.Range(0, 30).SelectMany(u => pairs.ItemsOf(u).ToArray().Select(i => (users.GetId(u), items.GetId(i)))));
        using var previous = LightGcn.Train(dataset, split, Small);
        using var adjacency = NormalizedAdjacency.FromInteractions(split.Train);
        using var warm = new LightGcnModel(adjacency, Small);
        previous.CopyLayerZeroInto(warm, users, items);

        using var scope = NewDisposeScope();
        using var scorer = new LightGcnScorer(warm);
        int[] all = [.. Enumerable.Range(0, 30)];
        var expected = previous.Scorer.Score(all).data<float>().ToArray();
        var actual = scorer.Score(all).data<float>().ToArray();
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Train_from_a_previous_model_starts_lower_on_the_loss_than_a_cold_start()
    {
        var users = new IdMap(Enumerable.Range(1, 40).Select(u => (long)u));
        var items = new IdMap(Enumerable.Range(1, 30).Select(i => (long)i));
        var all = TestGraphs.RandomInteractions(40, 30, 400, seed: 9);
        var pairs = Enumerable.Range(0, 40).SelectMany(u => all.ItemsOf(u).ToArray().Select(i => (users.GetId(u), items.GetId(i)))).ToArray();
        var options = Small.Clone();
        options.Epochs = 30;
        var (before, beforeSplit) = Data(users, items, pairs.Where((_, index) => index % 10 != 0));
        using var previous = LightGcn.Train(before, beforeSplit, options);
        var (now, nowSplit) = Data(users, items, pairs);
        options.Epochs = 1;

        using var cold = LightGcn.Train(now, nowSplit, options);
        using var warm = LightGcn.Train(now, nowSplit, options, warmStartFrom: previous);

        Assert.True(warm.History[0].Loss < 0.8 * cold.History[0].Loss, $"warm {warm.History[0].Loss}, cold {cold.History[0].Loss}");
    }

    [Fact]
    public void A_previous_model_of_another_dimension_is_refused_with_the_fix()
    {
        var users = new IdMap([1L, 2, 3]);
        var items = new IdMap([1L, 2, 3]);
        var (dataset, split) = Data(users, items, AlmostAll(users, items));
        using var previous = LightGcn.Train(dataset, split, Small);
        var wider = Small.Clone();
        wider.EmbeddingDimension = 8;

        var error = Assert.Throws<ArgumentException>(() => LightGcn.Train(dataset, split, wider, warmStartFrom: previous));

        Assert.Contains("4-dimensional", error.Message, StringComparison.Ordinal);
        Assert.Contains("EmbeddingDimension is 8: set it to 4", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_disposed_previous_model_is_refused()
    {
        var users = new IdMap([1L, 2, 3]);
        var items = new IdMap([1L, 2, 3]);
        var (dataset, split) = Data(users, items, AlmostAll(users, items));
        var previous = LightGcn.Train(dataset, split, Small);
        previous.Dispose();

        Assert.Throws<ObjectDisposedException>(() => LightGcn.Train(dataset, split, Small, warmStartFrom: previous));
    }

    [Fact]
    public void A_cold_start_checkpoint_is_not_resumed_by_a_warm_start()
    {
        var users = new IdMap([1L, 2, 3, 4]);
        var items = new IdMap([1L, 2, 3]);
        var (dataset, split) = Data(users, items, AlmostAll(users, items));
        using var previous = LightGcn.Train(dataset, split, Small);
        var options = Small.Clone();
        options.CheckpointDirectory = _folder;
        using (LightGcn.Train(dataset, split, options))
        {
        }

        var error = Assert.Throws<ArgumentException>(() => LightGcn.Train(dataset, split, options, warmStartFrom: previous));

        Assert.Contains("belongs to other data", error.Message, StringComparison.Ordinal);
    }
}
