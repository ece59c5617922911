using GraphRec.Data;

namespace GraphRec.Data.Tests;

public sealed class SplitterTests
{
    /// <summary>50 users with 1..10 interactions each over 30 items, timestamps increasing with item.</summary>
    private static Interactions Sample()
    {
        var random = new Random(7);
        var pointers = new List<int> { 0 };
        var items = new List<int>();
        var timestamps = new List<long>();
        for (int user = 0; user < 50; user++)
        {
            foreach (int item in Enumerable.Range(0, 30).OrderBy(_ => random.Next()).Take(1 + user % 10).Order())
            {
                items.Add(item);
                timestamps.Add(1000 + item * 10 + user);
            }

            pointers.Add(items.Count);
        }

        return new Interactions(50, 30, [.. pointers], [.. items], null, [.. timestamps]);
    }

    private static HashSet<(int, int)> Pairs(Interactions interactions)
    {
        var users = interactions.ExpandUsers();
        return [.. users.Zip(interactions.Items.ToArray())];
    }

    public static TheoryData<string> SplitterNames => ["random", "leave-last-out", "temporal"];

    private static ISplitter Create(string name) => name switch
    {
        "random" => new RandomHoldoutSplitter(0.2, seed: 1),
        "leave-last-out" => new LeaveLastOutSplitter(2),
        _ => TemporalSplitter.AtQuantile(0.8),
    };

    [Theory]
    [MemberData(nameof(SplitterNames))]
    public void Parts_are_disjoint_and_lose_nothing_but_the_counted_drops(string name)
    {
        var all = Sample();

        var split = DatasetSplitter.Split(all, Create(name), new RandomHoldoutSplitter(0.1, seed: 2));

        var train = Pairs(split.Train);
        var validation = Pairs(split.Validation!);
        var test = Pairs(split.Test);
        Assert.Empty(train.Intersect(validation));
        Assert.Empty(train.Intersect(test));
        Assert.Empty(validation.Intersect(test));
        Assert.Equal(all.Count, train.Count + validation.Count + test.Count + split.DroppedHeldOut);
        Assert.True(Pairs(all).IsSupersetOf(train.Union(validation).Union(test)));
        Assert.NotEmpty(test);
    }

    [Theory]
    [MemberData(nameof(SplitterNames))]
    public void Same_seed_same_split(string name)
    {
        var a = DatasetSplitter.Split(Sample(), Create(name));
        var b = DatasetSplitter.Split(Sample(), Create(name));

        Assert.Equal(a.Test.Items.ToArray(), b.Test.Items.ToArray());
        Assert.Equal(a.Test.RowPointers.ToArray(), b.Test.RowPointers.ToArray());
    }

    [Fact]
    public void Random_holdout_keeps_one_in_train_and_holds_one_out_per_eligible_user()
    {
        var all = Sample();

        var heldOut = new RandomHoldoutSplitter(0.2, seed: 3).SelectHeldOut(all);

        for (int user = 0; user < all.UserCount; user++)
        {
            int n = all.CountOf(user);
            int held = heldOut.AsSpan(all.RowPointers[user], n).Count(true);
            Assert.Equal(n < 2 ? 0 : Math.Clamp((int)Math.Round(n * 0.2, MidpointRounding.AwayFromZero), 1, n - 1), held);
        }

        Assert.NotEqual(heldOut, new RandomHoldoutSplitter(0.2, seed: 4).SelectHeldOut(all));
    }

    [Fact]
    public void Leave_last_out_holds_out_the_latest()
    {
        var all = Sample();

        var heldOut = new LeaveLastOutSplitter(1).SelectHeldOut(all);

        for (int user = 0; user < all.UserCount; user++)
        {
            int start = all.RowPointers[user], n = all.CountOf(user);
            if (n <= 1)
            {
                continue;
            }

            var latest = start + all.Timestamps.Slice(start, n).ToArray().AsSpan().IndexOf(all.Timestamps.Slice(start, n).ToArray().Max());
            Assert.True(heldOut[latest]);
        }
    }

    [Fact]
    public void Temporal_split_holds_out_everything_after_the_cutoff()
    {
        var all = Sample();
        var splitter = TemporalSplitter.AtQuantile(0.75);
        long cutoff = splitter.CutoffFor(all);

        var heldOut = splitter.SelectHeldOut(all);

        for (int p = 0; p < all.Count; p++)
        {
            Assert.Equal(all.Timestamps[p] >= cutoff, heldOut[p]);
        }
    }

    [Fact]
    public void Held_out_interactions_of_items_unseen_in_train_are_dropped_and_counted()
    {
        // user 0: items 0, 1; user 1: item 2 only. Hold everything of item 2 out: it never occurs in train.
        var all = new Interactions(2, 3, [0, 2, 3], [0, 1, 2], null, [1, 2, 3]);

        var split = DatasetSplitter.Split(all, TemporalSplitter.At(DateTimeOffset.FromUnixTimeSeconds(3)));

        Assert.Equal(0, split.Test.Count);
        Assert.Equal(1, split.DroppedHeldOut);
        Assert.Equal(2, split.Train.Count);
    }

    /// <summary>The sample with every timestamp set to <paramref name="timestamp"/>.</summary>
    private static Interactions AllAt(long timestamp)
    {
        var all = Sample();
        return new Interactions(all.UserCount, all.ItemCount, all.RowPointers.ToArray(), all.Items.ToArray(), null, [.. Enumerable.Repeat(timestamp, all.Count)]);
    }

    private static InteractionDataset Dataset(Interactions all, DatasetSplit? predefined = null) =>
        new("degenerate", new IdMap(Enumerable.Range(1, all.UserCount).Select(u => (long)u)), new IdMap(Enumerable.Range(1, all.ItemCount).Select(i => (long)i)),
            all, null, new LoadReport(all.Count, 0, 0, 0, []), predefined);

    [Fact]
    public void A_temporal_split_of_equal_timestamps_is_one_error_naming_the_split_and_the_fix()
    {
        var dataset = Dataset(AllAt(880_000_000));

        var error = Assert.ThrowsAny<ArgumentException>(() => dataset.Split(Splitters.TemporalAtQuantile(0.8)));

        Assert.IsType<ArgumentException>(error);
        Assert.Equal("test", error.ParamName);
        Assert.Contains("temporal at quantile 0.8", error.Message, StringComparison.Ordinal);
        Assert.Contains("holds out all 275 interactions", error.Message, StringComparison.Ordinal);
        Assert.Contains("every timestamp is the same (1997-11-20 04:26:40 UTC)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_validation_split_of_nothing_left_is_the_same_error_not_an_invalid_operation()
    {
        // The sample's timestamps, moved to 1997 (as MovieLens 100K's): a cut-off in 1990 holds out everything.
        var sample = Sample();
        var dataset = Dataset(new Interactions(sample.UserCount, sample.ItemCount, sample.RowPointers.ToArray(), sample.Items.ToArray(), null,
            [.. sample.Timestamps.ToArray().Select(t => t + 880_000_000)]));

        var error = Assert.ThrowsAny<ArgumentException>(() =>
            dataset.Split(Splitters.TemporalAt(new DateTimeOffset(1990, 1, 1, 0, 0, 0, TimeSpan.Zero)), validation: Splitters.TemporalAtQuantile(0.5)));

        Assert.IsType<ArgumentException>(error);
        Assert.Equal("test", error.ParamName);
        Assert.Contains("temporal at 1990-01-01", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_validation_split_that_takes_all_of_train_names_the_validation_split()
    {
        var all = AllAt(5);
        var predefined = DatasetSplit.TrainOnly(all);
        var dataset = Dataset(all, predefined);

        var fromSplit = Assert.ThrowsAny<ArgumentException>(() => dataset.Split(Splitters.RandomHoldout(0.2, seed: 1), Splitters.TemporalAtQuantile(0.9)));
        var fromPredefined = Assert.ThrowsAny<ArgumentException>(() => dataset.SplitPredefined(Splitters.TemporalAtQuantile(0.9)));

        foreach (var error in new[] { fromSplit, fromPredefined })
        {
            Assert.IsType<ArgumentException>(error);
            Assert.Equal("validation", error.ParamName);
            Assert.Contains("temporal at quantile 0.9", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TrainOnly_holds_every_interaction_in_train_and_an_empty_test_over_the_same_users_and_items()
    {
        var all = Sample();

        var split = DatasetSplit.TrainOnly(all);

        Assert.Same(all, split.Train);
        Assert.Null(split.Validation);
        Assert.Equal((all.UserCount, all.ItemCount, 0), (split.Test.UserCount, split.Test.ItemCount, split.Test.Count));
        Assert.Equal((0, 0), (split.DroppedHeldOut, split.DroppedTest));
        Assert.Throws<ArgumentNullException>(() => DatasetSplit.TrainOnly(null!));
    }

    private sealed class ShortSplitter : ISplitter
    {
        public bool[] SelectHeldOut(Interactions interactions) => new bool[interactions.Count - 1];
    }

    [Fact]
    public void A_splitter_that_returns_too_few_flags_is_named_with_its_contract()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Dataset(Sample()).Split(new ShortSplitter()));

        Assert.Contains("ShortSplitter returned 274 flags for 275 interactions: ISplitter.SelectHeldOut", error.Message, StringComparison.Ordinal);
    }
}
