namespace GraphRec.Data;

/// <summary>Holds out whole users and halves their interactions into what they bring and what is to be found.</summary>
internal static class NewUserSplitter
{
    public static NewUserSplit Split(Interactions interactions, double userFraction, double givenFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        if (!(userFraction > 0 && userFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(userFraction), userFraction, "The share of users to hold out must lie strictly between 0 and 1 (0.1 holds out 10%).");
        }

        if (!(givenFraction > 0 && givenFraction < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(givenFraction), givenFraction, "The share of a new user's items it brings must lie strictly between 0 and 1 (0.5: the first half).");
        }

        // Users with one interaction cannot both bring an item and have one to find.
        int[] candidates = [.. Enumerable.Range(0, interactions.UserCount).Where(u => interactions.CountOf(u) >= 2)];
        int take = (int)Math.Round(candidates.Length * userFraction, MidpointRounding.AwayFromZero);
        if (take == 0)
        {
            throw new ArgumentException(
                $"Holding out {userFraction:P0} of the {candidates.Length} users with at least 2 interactions holds out none: use a larger share or more data.", nameof(userFraction));
        }

        RandomStreams.Create(seed, -1).Shuffle(candidates);
        var isNew = new bool[interactions.UserCount];
        foreach (int user in candidates.AsSpan(0, take))
        {
            isNew[user] = true;
        }

        var inTrain = new bool[interactions.Count];
        var given = new bool[interactions.Count];
        var hidden = new bool[interactions.Count];
        var rowPointers = interactions.RowPointers;
        for (int user = 0; user < interactions.UserCount; user++)
        {
            int start = rowPointers[user], n = interactions.CountOf(user);
            if (!isNew[user])
            {
                inTrain.AsSpan(start, n).Fill(true);
                continue;
            }

            int[] order = ArrivalOrder(interactions, user, seed);
            int bring = Math.Clamp((int)Math.Round(n * givenFraction, MidpointRounding.AwayFromZero), 1, n - 1);
            for (int r = 0; r < n; r++)
            {
                (r < bring ? given : hidden)[order[r]] = true;
            }
        }

        var train = interactions.Select(inTrain);
        var degrees = train.ItemDegrees();
        var items = interactions.Items;
        int dropped = 0;
        for (int p = 0; p < hidden.Length; p++)
        {
            if (hidden[p] && degrees[items[p]] == 0)
            {
                hidden[p] = false;
                dropped++;
            }
        }

        return new NewUserSplit(train, interactions.Select(given), interactions.Select(hidden), take, dropped);
    }

    /// <summary>The CSR positions of <paramref name="user"/>'s interactions, earliest first (ties to the lower item index), or in a seeded random order without timestamps.</summary>
    private static int[] ArrivalOrder(Interactions interactions, int user, int seed)
    {
        int start = interactions.RowPointers[user];
        int[] order = [.. Enumerable.Range(start, interactions.CountOf(user))];
        if (interactions.HasTimestamps)
        {
            var timestamps = interactions.Timestamps.ToArray();
            var items = interactions.Items.ToArray();
            return [.. order.OrderBy(p => timestamps[p]).ThenBy(p => items[p])];
        }

        RandomStreams.Create(seed, user, 1).Shuffle(order);
        return order;
    }
}
