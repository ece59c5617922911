using GraphRec.Data;

namespace GraphRec.Data.Tests;

public sealed class NewUserSplitTests
{
    /// <summary>200 users with 1..12 interactions each over 40 items; timestamps fall as the item index rises, so time order is not index order.</summary>
    private static InteractionDataset Sample(bool timestamps)
    {
        var random = new Random(5);
        var pointers = new List<int> { 0 };
        var items = new List<int>();
        var times = new List<long>();
        for (int user = 0; user < 200; user++)
        {
            foreach (int item in Enumerable.Range(0, 40).OrderBy(_ => random.Next()).Take(1 + (user % 12)).Order())
            {
                items.Add(item);
                times.Add(100_000 - (item * 100) + user);
            }

            pointers.Add(items.Count);
        }

        var interactions = new Interactions(200, 40, [.. pointers], [.. items], null, timestamps ? [.. times] : null);
        return new InteractionDataset("sample", new IdMap(Enumerable.Range(0, 200).Select(u => (long)u)), new IdMap(Enumerable.Range(0, 40).Select(i => (long)i)),
            interactions, null, new LoadReport(items.Count, 0, 0, 0, []));
    }

    private static HashSet<(int, int)> Pairs(Interactions interactions) => [.. interactions.ExpandUsers().Zip(interactions.Items.ToArray())];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Holds_out_a_tenth_of_the_users_whole_and_splits_each_into_given_and_hidden(bool timestamps)
    {
        var dataset = Sample(timestamps);
        var split = dataset.SplitNewUsers(0.1, 0.5, seed: 9);

        int candidates = Enumerable.Range(0, 200).Count(u => dataset.Interactions.CountOf(u) >= 2);
        Assert.Equal((int)Math.Round(candidates * 0.1, MidpointRounding.AwayFromZero), split.NewUsers);
        var newUsers = Enumerable.Range(0, 200).Where(u => split.Given.CountOf(u) > 0).ToArray();
        Assert.Equal(split.NewUsers, newUsers.Length);
        foreach (int user in newUsers)
        {
            int n = dataset.Interactions.CountOf(user);
            Assert.Equal(0, split.Train.CountOf(user));
            Assert.Equal((int)Math.Clamp(Math.Round(n * 0.5, MidpointRounding.AwayFromZero), 1, n - 1), split.Given.CountOf(user));
        }

        // Nothing lost or repeated: train + given + hidden + dropped = every interaction.
        var all = Pairs(dataset.Interactions);
        var parts = new[] { Pairs(split.Train), Pairs(split.Given), Pairs(split.Hidden) };
        Assert.Equal(all.Count, parts.Sum(p => p.Count) + split.DroppedHidden);
        Assert.All(parts, part => Assert.Subset(all, part));
        Assert.Empty(parts[0].Intersect(parts[1]).Concat(parts[0].Intersect(parts[2])).Concat(parts[1].Intersect(parts[2])));

        // Hidden items all occur in train.
        var degrees = split.Train.ItemDegrees();
        Assert.All(split.Hidden.Items.ToArray(), item => Assert.True(degrees[item] > 0));
        Assert.Equal(split, dataset.SplitNewUsers(0.1, 0.5, seed: 9) with { Train = split.Train, Given = split.Given, Hidden = split.Hidden });
        Assert.Equal(Pairs(split.Given), Pairs(dataset.SplitNewUsers(0.1, 0.5, seed: 9).Given));
    }

    [Fact]
    public void With_timestamps_a_new_user_brings_its_earliest_interactions()
    {
        var dataset = Sample(timestamps: true);
        var split = dataset.SplitNewUsers(0.2, 0.5, seed: 1);
        var time = new Dictionary<(int, int), long>();
        var users = dataset.Interactions.ExpandUsers();
        for (int p = 0; p < users.Length; p++)
        {
            time[(users[p], dataset.Interactions.Items[p])] = dataset.Interactions.Timestamps[p];
        }

        int checkedUsers = 0;
        for (int user = 0; user < 200; user++)
        {
            if (split.Given.CountOf(user) == 0 || split.Hidden.CountOf(user) == 0)
            {
                continue;
            }

            long latestGiven = split.Given.ItemsOf(user).ToArray().Max(i => time[(user, i)]);
            long earliestHidden = split.Hidden.ItemsOf(user).ToArray().Min(i => time[(user, i)]);
            Assert.True(latestGiven < earliestHidden, $"user {user}: given up to {latestGiven}, hidden from {earliestHidden}");
            checkedUsers++;
        }

        Assert.True(checkedUsers > 20, $"only {checkedUsers} users checked");
    }

    [Theory]
    [InlineData(0.0, 0.5)]
    [InlineData(1.0, 0.5)]
    [InlineData(0.1, 0.0)]
    [InlineData(0.1, double.NaN)]
    public void Shares_outside_zero_to_one_are_refused(double users, double given) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Sample(true).SplitNewUsers(users, given));

    [Fact]
    public void A_share_that_holds_out_nobody_is_refused_with_the_reason()
    {
        var error = Assert.Throws<ArgumentException>(() => Sample(true).SplitNewUsers(0.001));
        Assert.Contains("holds out none", error.Message, StringComparison.Ordinal);
    }
}
