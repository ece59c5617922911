namespace GraphRec.Data;

/// <summary>The ways GraphRec splits interactions, for <see cref="InteractionDataset.Split"/>.</summary>
public static class Splitters
{
    /// <summary>
    /// Per-user random holdout: each user with at least <paramref name="minInteractions"/> interactions holds out
    /// <c>round(n × ratio)</c> of them, at least one and at most n − 1, so every such user keeps one in train. The
    /// choice for a user depends only on the seed and the user's index, so it is reproducible in every process.
    /// </summary>
    /// <param name="ratio">Fraction of each user's interactions to hold out, in (0, 1).</param>
    /// <param name="seed">Seed of the random choice.</param>
    /// <param name="minInteractions">Users with fewer interactions stay whole in train. At least 2; default 2.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public static ISplitter RandomHoldout(double ratio, int seed, int minInteractions = 2) => new RandomHoldoutSplitter(ratio, seed, minInteractions);

    /// <summary>
    /// Leave-last-k-out: each user with more than <paramref name="count"/> interactions holds out its latest by
    /// timestamp (ties to the higher item index); users with fewer stay whole in train. Needs timestamps.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    public static ISplitter LeaveLastOut(int count = 1) => new LeaveLastOutSplitter(count);

    /// <summary>Global temporal split: every interaction at or after <paramref name="cutoff"/> is held out. Needs timestamps.</summary>
    public static ISplitter TemporalAt(DateTimeOffset cutoff) => TemporalSplitter.At(cutoff);

    /// <summary>
    /// Global temporal split at the timestamp at <paramref name="quantile"/> of all interactions: 0.8 holds out the
    /// latest 20% (up to ties at the cut-off). Needs timestamps.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="quantile"/> is not in (0, 1).</exception>
    public static ISplitter TemporalAtQuantile(double quantile) => TemporalSplitter.AtQuantile(quantile);
}
