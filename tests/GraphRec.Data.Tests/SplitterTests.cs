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
}
