using System.Globalization;

namespace GraphRec.Data;

/// <summary>
/// Per-user random holdout: each user with at least <see cref="MinInteractions"/> interactions holds out
/// <c>round(n × ratio)</c> of them, at least one and at most n − 1, so every such user keeps one in train and, where
/// possible, has one held out. Users with fewer interactions stay whole in train. The choice for a user depends
/// only on the seed and the user's index, so it is reproducible and independent of other users.
/// </summary>
internal sealed class RandomHoldoutSplitter : ISplitter
{
    /// <summary>Creates the splitter.</summary>
    /// <param name="ratio">Fraction of each user's interactions to hold out, in (0, 1).</param>
    /// <param name="seed">Seed of the random choice.</param>
    /// <param name="minInteractions">Users with fewer interactions are not split. At least 2; default 2.</param>
    public RandomHoldoutSplitter(double ratio, int seed, int minInteractions = 2)
    {
        if (!(ratio > 0 && ratio < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "The holdout ratio must lie strictly between 0 and 1.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(minInteractions, 2);
        Ratio = ratio;
        Seed = seed;
        MinInteractions = minInteractions;
    }

    /// <summary>Fraction held out per user.</summary>
    public double Ratio { get; }

    /// <summary>Seed.</summary>
    public int Seed { get; }

    /// <summary>Users with fewer interactions are not split.</summary>
    public int MinInteractions { get; }

    /// <inheritdoc />
    public bool[] SelectHeldOut(Interactions interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        var heldOut = new bool[interactions.Count];
        for (int user = 0; user < interactions.UserCount; user++)
        {
            int n = interactions.CountOf(user);
            if (n < MinInteractions)
            {
                continue;
            }

            int take = Math.Clamp((int)Math.Round(n * Ratio, MidpointRounding.AwayFromZero), 1, n - 1);
            var random = RandomStreams.Create(Seed, user);
            var positions = Enumerable.Range(interactions.RowPointers[user], n).ToArray();
            random.Shuffle(positions);
            foreach (int p in positions.AsSpan(0, take))
            {
                heldOut[p] = true;
            }
        }

        return heldOut;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"random holdout of {Ratio} (seed {Seed})");
}

/// <summary>
/// Leave-last-k-out: each user with more than k interactions holds out its k latest by timestamp (ties broken by
/// the higher item index, so the result is deterministic); users with k or fewer stay whole in train.
/// </summary>
internal sealed class LeaveLastOutSplitter : ISplitter
{
    /// <summary>Creates the splitter.</summary>
    /// <param name="count">How many of each user's latest interactions to hold out (k ≥ 1). Default 1.</param>
    public LeaveLastOutSplitter(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Count = count;
    }

    /// <summary>k.</summary>
    public int Count { get; }

    /// <inheritdoc />
    public bool[] SelectHeldOut(Interactions interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        RequireTimestamps(interactions, "leave-last-out");
        var heldOut = new bool[interactions.Count];
        var timestamps = interactions.Timestamps;
        for (int user = 0; user < interactions.UserCount; user++)
        {
            int n = interactions.CountOf(user), start = interactions.RowPointers[user];
            if (n <= Count)
            {
                continue;
            }

            // Positions within a row are in item order, so sorting by (timestamp, position) breaks ties by item.
            var order = new (long Timestamp, int Position)[n];
            for (int k = 0; k < n; k++)
            {
                order[k] = (timestamps[start + k], start + k);
            }

            Array.Sort(order);
            foreach (var (_, p) in order.AsSpan(n - Count))
            {
                heldOut[p] = true;
            }
        }

        return heldOut;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"leave-last-{Count}-out");

    internal static void RequireTimestamps(Interactions interactions, string splitName)
    {
        if (!interactions.HasTimestamps)
        {
            throw new InvalidOperationException($"The {splitName} split needs timestamps, and these interactions have none.");
        }
    }
}

/// <summary>
/// Global temporal split: every interaction at or after a cut-off time is held out. The cut-off is a time point,
/// or the timestamp at a quantile of all interactions (0.8: the latest 20% are held out, up to ties at the cut-off).
/// </summary>
internal sealed class TemporalSplitter : ISplitter
{
    private readonly DateTimeOffset? _cutoff;
    private readonly double? _quantile;

    private TemporalSplitter(DateTimeOffset? cutoff, double? quantile)
    {
        _cutoff = cutoff;
        _quantile = quantile;
    }

    /// <summary>Holds out interactions at or after <paramref name="cutoff"/>.</summary>
    public static TemporalSplitter At(DateTimeOffset cutoff) => new(cutoff, null);

    /// <summary>Holds out interactions at or after the timestamp at <paramref name="quantile"/> (in (0, 1)) of all timestamps.</summary>
    public static TemporalSplitter AtQuantile(double quantile) =>
        quantile > 0 && quantile < 1
            ? new(null, quantile)
            : throw new ArgumentOutOfRangeException(nameof(quantile), quantile, "The quantile must lie strictly between 0 and 1.");

    /// <summary>The cut-off in seconds since the Unix epoch for these interactions.</summary>
    public long CutoffFor(Interactions interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        if (_cutoff is DateTimeOffset cutoff)
        {
            return cutoff.ToUnixTimeSeconds();
        }

        var sorted = interactions.Timestamps.ToArray();
        if (sorted.Length == 0)
        {
            throw new InvalidOperationException("There are no interactions to take a time quantile of.");
        }

        Array.Sort(sorted);
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(_quantile!.Value * sorted.Length))];
    }

    /// <inheritdoc />
    public bool[] SelectHeldOut(Interactions interactions)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        LeaveLastOutSplitter.RequireTimestamps(interactions, "temporal");
        long cutoff = CutoffFor(interactions);
        var timestamps = interactions.Timestamps;
        var heldOut = new bool[interactions.Count];
        for (int p = 0; p < heldOut.Length; p++)
        {
            heldOut[p] = timestamps[p] >= cutoff;
        }

        return heldOut;
    }

    /// <inheritdoc />
    public override string ToString() => _cutoff is DateTimeOffset cutoff
        ? string.Create(CultureInfo.InvariantCulture, $"temporal at {cutoff:O}")
        : string.Create(CultureInfo.InvariantCulture, $"temporal at quantile {_quantile}");
}
