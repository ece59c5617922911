namespace GraphRec.Metrics;

/// <summary>
/// Per-user top-K metrics from a ranked list of items (best first) and the user's relevant (held-out) items, with
/// binary relevance. Precision, recall and NDCG are exactly those of the LightGCN paper's reference evaluation.
/// A ranked list shorter than K (a catalogue smaller than K) counts its missing places as misses.
/// Relevant items are given as an ascending span, so membership is a binary search.
/// </summary>
internal static class RankingMetrics
{
    /// <summary>Precision@K = hits@K / K.</summary>
    public static double Precision(ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevantSorted, int k) =>
        (double)Hits(ranked, relevantSorted, k) / CheckK(k);

    /// <summary>Recall@K = hits@K / |relevant|; 0 when nothing is relevant.</summary>
    public static double Recall(ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevantSorted, int k) =>
        relevantSorted.IsEmpty ? 0 : (double)Hits(ranked, relevantSorted, k) / relevantSorted.Length;

    /// <summary>
    /// NDCG@K = DCG@K / IDCG@K with DCG@K = Σ_{r=1..K} rel_r / log2(r + 1) and IDCG@K = Σ_{r=1..min(K, |relevant|)} 1 / log2(r + 1).
    /// </summary>
    public static double Ndcg(ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevantSorted, int k)
    {
        int limit = Math.Min(CheckK(k), ranked.Length);
        double dcg = 0;
        for (int r = 0; r < limit; r++)
        {
            if (relevantSorted.BinarySearch(ranked[r]) >= 0)
            {
                dcg += 1 / Math.Log2(r + 2);
            }
        }

        double idcg = 0;
        for (int r = 0; r < Math.Min(k, relevantSorted.Length); r++)
        {
            idcg += 1 / Math.Log2(r + 2);
        }

        return idcg == 0 ? 0 : dcg / idcg;
    }

    /// <summary>HitRate@K = 1 if any of the top K is relevant, else 0.</summary>
    public static double HitRate(ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevantSorted, int k) =>
        Hits(ranked, relevantSorted, k) > 0 ? 1 : 0;

    /// <summary>MRR@K = 1 / rank of the first relevant item within the top K (ranks from 1), else 0.</summary>
    public static double ReciprocalRank(ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevantSorted, int k)
    {
        int limit = Math.Min(CheckK(k), ranked.Length);
        for (int r = 0; r < limit; r++)
        {
            if (relevantSorted.BinarySearch(ranked[r]) >= 0)
            {
                return 1.0 / (r + 1);
            }
        }

        return 0;
    }

    /// <summary>AP@K = (Σ over hits at rank r ≤ K of hits@r / r) / min(K, |relevant|); MAP@K is its mean over users.</summary>
    public static double AveragePrecision(ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevantSorted, int k)
    {
        int limit = Math.Min(CheckK(k), ranked.Length);
        int hits = 0;
        double sum = 0;
        for (int r = 0; r < limit; r++)
        {
            if (relevantSorted.BinarySearch(ranked[r]) >= 0)
            {
                hits++;
                sum += (double)hits / (r + 1);
            }
        }

        int denominator = Math.Min(k, relevantSorted.Length);
        return denominator == 0 ? 0 : sum / denominator;
    }

    /// <summary>The number of relevant items among the top K.</summary>
    public static int Hits(ReadOnlySpan<int> ranked, ReadOnlySpan<int> relevantSorted, int k)
    {
        int limit = Math.Min(CheckK(k), ranked.Length);
        int hits = 0;
        for (int r = 0; r < limit; r++)
        {
            hits += relevantSorted.BinarySearch(ranked[r]) >= 0 ? 1 : 0;
        }

        return hits;
    }

    private static int CheckK(int k) => k > 0 ? k : throw new ArgumentOutOfRangeException(nameof(k), k, "K must be positive.");
}
