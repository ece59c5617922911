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
