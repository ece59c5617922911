using System.Globalization;

namespace GraphRec.Metrics;

/// <summary>The metrics GraphRec computes at every cut-off K, with their keys in results (<c>recall@20</c>).</summary>
public static class MetricNames
{
    /// <summary>Precision@K.</summary>
    public const string Precision = "precision";

    /// <summary>Recall@K.</summary>
    public const string Recall = "recall";

    /// <summary>NDCG@K.</summary>
    public const string Ndcg = "ndcg";

    /// <summary>MAP@K.</summary>
    public const string Map = "map";

    /// <summary>HitRate@K.</summary>
    public const string HitRate = "hit";

    /// <summary>MRR@K.</summary>
    public const string Mrr = "mrr";

    /// <summary>Catalogue coverage@K (one value for the whole evaluation).</summary>
    public const string Coverage = "coverage";

    /// <summary>The per-user metrics, in display order.</summary>
    public static IReadOnlyList<string> PerUser { get; } = [Precision, Recall, Ndcg, Map, HitRate, Mrr];

    /// <summary>The key of a metric at a cut-off: <c>recall@20</c>.</summary>
    public static string Key(string metric, int k) => string.Create(CultureInfo.InvariantCulture, $"{metric}@{k}");
}

/// <summary>
/// Collects ranked lists user by user and computes every metric at every cut-off. Users without relevant items
/// are excluded from the averages and counted. Not thread-safe: add from one thread.
/// </summary>
public sealed class RankingEvaluationBuilder
{
    private readonly int[] _cutoffs;
    private readonly int _catalogueSize;
    private readonly Dictionary<string, List<double>> _values = [];
    private readonly HashSet<int>[] _recommended;
    private readonly List<int> _users = [];
    private int _excluded;

    /// <summary>Creates a builder for the given cut-offs over a catalogue of <paramref name="catalogueSize"/> items.</summary>
    public RankingEvaluationBuilder(IEnumerable<int> cutoffs, int catalogueSize)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        _cutoffs = [.. cutoffs.Distinct().Order()];
        if (_cutoffs.Length == 0 || _cutoffs[0] <= 0)
        {
            throw new ArgumentException("Give at least one cut-off K, all positive.", nameof(cutoffs));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(catalogueSize);
        _catalogueSize = catalogueSize;
        _recommended = [.. _cutoffs.Select(_ => new HashSet<int>())];
        foreach (int k in _cutoffs)
        {
            foreach (string metric in MetricNames.PerUser)
            {
                _values[MetricNames.Key(metric, k)] = [];
            }
        }
    }

    /// <summary>The largest cut-off: how long the ranked lists must be.</summary>
    public int MaxK => _cutoffs[^1];

    /// <summary>Adds one user's ranked list (best first, at least <see cref="MaxK"/> long unless the catalogue is shorter) and relevant items (ascending).</summary>
    public void Add(int user, ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevantSorted)
    {
        if (relevantSorted.IsEmpty)
        {
            _excluded++;
            return;
        }

        _users.Add(user);
        for (int c = 0; c < _cutoffs.Length; c++)
        {
            int k = _cutoffs[c];
            _values[MetricNames.Key(MetricNames.Precision, k)].Add(RankingMetrics.Precision(ranked, relevantSorted, k));
            _values[MetricNames.Key(MetricNames.Recall, k)].Add(RankingMetrics.Recall(ranked, relevantSorted, k));
            _values[MetricNames.Key(MetricNames.Ndcg, k)].Add(RankingMetrics.Ndcg(ranked, relevantSorted, k));
            _values[MetricNames.Key(MetricNames.Map, k)].Add(RankingMetrics.AveragePrecision(ranked, relevantSorted, k));
            _values[MetricNames.Key(MetricNames.HitRate, k)].Add(RankingMetrics.HitRate(ranked, relevantSorted, k));
            _values[MetricNames.Key(MetricNames.Mrr, k)].Add(RankingMetrics.ReciprocalRank(ranked, relevantSorted, k));
            foreach (int item in ranked[..Math.Min(k, ranked.Length)])
            {
                _recommended[c].Add(item);
            }
        }
    }

    /// <summary>Counts users who have nothing relevant (excluded from the averages) without ranked lists for them.</summary>
    public void AddExcludedCount(int users)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(users);
        _excluded += users;
    }

    /// <summary>The immutable result.</summary>
    public RankingEvaluation Build()
    {
        var summaries = _values.ToDictionary(pair => pair.Key, pair => MetricSummary.Of(pair.Value));
        var coverage = _cutoffs.Select((k, c) => KeyValuePair.Create(MetricNames.Key(MetricNames.Coverage, k), (double)_recommended[c].Count / _catalogueSize))
            .ToDictionary();
        return new RankingEvaluation(
            _cutoffs, [.. _users], _excluded, summaries, coverage,
            _values.ToDictionary(pair => pair.Key, pair => (IReadOnlyList<double>)[.. pair.Value]));
    }
}

/// <summary>
/// The result of a full-ranking evaluation: per metric and cut-off, the mean with its confidence interval and the
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
