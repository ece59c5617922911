namespace GraphRec.Metrics;

/// <summary>
/// Collects ranked lists user by user and computes every metric at every cut-off. Users without relevant items
/// are excluded from the averages and counted. Not thread-safe: add from one thread.
/// </summary>
internal sealed class RankingEvaluationBuilder
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
