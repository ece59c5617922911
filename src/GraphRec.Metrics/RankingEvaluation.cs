namespace GraphRec.Metrics;

/// <summary>
/// The result of a full-ranking evaluation, of every user or of a random sample (<see cref="SampledFrom"/>): per metric and cut-off, the mean with its confidence interval and the
/// per-user values (for paired comparisons), the catalogue coverage, and the users evaluated and excluded. Immutable and serialisable.
/// </summary>
/// <param name="Cutoffs">The cut-offs K, ascending.</param>
/// <param name="Users">The users evaluated, in the order of the per-user values.</param>
/// <param name="ExcludedUsers">Users without relevant items, excluded from the averages.</param>
/// <param name="Summaries">Mean and 95% confidence interval per key (<c>recall@20</c>).</param>
/// <param name="Coverage">Catalogue coverage per key (<c>coverage@20</c>): distinct items recommended in any top K / catalogue size.</param>
/// <param name="PerUser">The per-user values per key, aligned with <paramref name="Users"/>.</param>
public sealed record RankingEvaluation(
    IReadOnlyList<int> Cutoffs, IReadOnlyList<int> Users, int ExcludedUsers,
    IReadOnlyDictionary<string, MetricSummary> Summaries, IReadOnlyDictionary<string, double> Coverage,
    IReadOnlyDictionary<string, IReadOnlyList<double>> PerUser)
{
    /// <summary>
    /// Null for a full evaluation. For an evaluation of a random sample of users, how many users had held-out items
    /// (the sample was drawn from them; <see cref="Users"/> holds the sample): its means estimate the full evaluation's,
    /// within their intervals, and its coverage is the sample's lists' only.
    /// </summary>
    public int? SampledFrom { get; init; }

    /// <summary>The mean of a metric at a cut-off.</summary>
    public double Mean(string metric, int k) => Summaries[MetricNames.Key(metric, k)].Mean;

    /// <summary>Compares this evaluation (A) with another (B) on a metric at a cut-off, user by user.</summary>
    /// <exception cref="ArgumentException">The two evaluations are not over the same users.</exception>
    public PairedComparison CompareWith(RankingEvaluation other, string metric, int k)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!Users.SequenceEqual(other.Users))
        {
            throw new ArgumentException("Paired comparison needs both evaluations over the same users in the same order.", nameof(other));
        }

        string key = MetricNames.Key(metric, k);
        return PairedComparison.Compare(PerUser[key], other.PerUser[key]);
    }
}
