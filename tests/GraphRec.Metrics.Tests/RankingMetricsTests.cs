namespace GraphRec.Metrics.Tests;

public sealed class RankingMetricsTests
{
    private const double Tolerance = 1e-12;

    // Ranked: 5, 1, 9, 3, 7. Relevant: 1, 3, 8 (hits at ranks 2 and 4).
    private static readonly int[] Ranked = [5, 1, 9, 3, 7];
    private static readonly int[] Relevant = [1, 3, 8];

    [Fact]
    public void Precision_recall_hit_at_k() 
    {
        Assert.Equal(2.0 / 5, RankingMetrics.Precision(Ranked, Relevant, 5), Tolerance);
        Assert.Equal(2.0 / 3, RankingMetrics.Recall(Ranked, Relevant, 5), Tolerance);
        Assert.Equal(1.0 / 2, RankingMetrics.Precision(Ranked, Relevant, 2), Tolerance);
        Assert.Equal(1.0 / 3, RankingMetrics.Recall(Ranked, Relevant, 2), Tolerance);
        Assert.Equal(0, RankingMetrics.HitRate(Ranked, Relevant, 1));
        Assert.Equal(1, RankingMetrics.HitRate(Ranked, Relevant, 2));
    }

    [Fact]
    public void Ndcg_uses_log2_discount_and_ideal_over_min_k_relevant()
    {
        double dcg = 1 / Math.Log2(3) + 1 / Math.Log2(5);
        double idcg = 1 + 1 / Math.Log2(3) + 1 / Math.Log2(4);
        Assert.Equal(dcg / idcg, RankingMetrics.Ndcg(Ranked, Relevant, 5), Tolerance);
        // Fewer than K relevant: the ideal list has only min(K, |relevant|) = 3 entries, not 5.
        Assert.Equal((1 / Math.Log2(3)) / (1 + 1 / Math.Log2(3)), RankingMetrics.Ndcg(Ranked, Relevant, 2), Tolerance);
    }

    [Fact]
    public void Mrr_and_map()
    {
        Assert.Equal(0.5, RankingMetrics.ReciprocalRank(Ranked, Relevant, 5), Tolerance);
        Assert.Equal(0, RankingMetrics.ReciprocalRank(Ranked, Relevant, 1), Tolerance);
        Assert.Equal((1.0 / 2 + 2.0 / 4) / 3, RankingMetrics.AveragePrecision(Ranked, Relevant, 5), Tolerance);
        Assert.Equal((1.0 / 2) / 2, RankingMetrics.AveragePrecision(Ranked, Relevant, 2), Tolerance);
    }

    [Fact]
    public void No_hits_gives_zero_everywhere()
    {
        int[] relevant = [100, 200];
        Assert.Equal(0, RankingMetrics.Precision(Ranked, relevant, 5));
        Assert.Equal(0, RankingMetrics.Recall(Ranked, relevant, 5));
        Assert.Equal(0, RankingMetrics.Ndcg(Ranked, relevant, 5));
        Assert.Equal(0, RankingMetrics.AveragePrecision(Ranked, relevant, 5));
        Assert.Equal(0, RankingMetrics.ReciprocalRank(Ranked, relevant, 5));
    }

    [Fact]
    public void All_hits_gives_one_everywhere()
    {
        int[] relevant = [1, 3, 5, 7, 9];
        Assert.Equal(1, RankingMetrics.Precision(Ranked, relevant, 5), Tolerance);
        Assert.Equal(1, RankingMetrics.Recall(Ranked, relevant, 5), Tolerance);
        Assert.Equal(1, RankingMetrics.Ndcg(Ranked, relevant, 5), Tolerance);
        Assert.Equal(1, RankingMetrics.AveragePrecision(Ranked, relevant, 5), Tolerance);
        Assert.Equal(1, RankingMetrics.ReciprocalRank(Ranked, relevant, 5), Tolerance);
    }

    [Fact]
    public void K_larger_than_the_catalogue_counts_missing_places_as_misses()
    {
        int[] ranked = [0, 1];
        int[] relevant = [0, 1];
        Assert.Equal(2.0 / 10, RankingMetrics.Precision(ranked, relevant, 10), Tolerance);
        Assert.Equal(1, RankingMetrics.Recall(ranked, relevant, 10), Tolerance);
        Assert.Equal(1, RankingMetrics.Ndcg(ranked, relevant, 10), Tolerance);
    }

    [Fact]
    public void Ties_in_score_are_the_rankers_business_metrics_follow_the_given_order()
    {
        // Two lists that a tie could produce; the metrics differ exactly by the position of the hit.
        Assert.Equal(1, RankingMetrics.ReciprocalRank([4, 2], [4], 2));
        Assert.Equal(0.5, RankingMetrics.ReciprocalRank([2, 4], [4], 2));
    }

    [Fact]
    public void Builder_excludes_users_without_relevant_items_and_computes_coverage()
    {
        var builder = new RankingEvaluationBuilder([1, 2], catalogueSize: 10);
        builder.Add(0, [1, 2], [1]);
        builder.Add(1, [3, 1], [1]);
        builder.Add(2, [4, 5], []);

        var result = builder.Build();

        Assert.Equal(1, result.ExcludedUsers);
        Assert.Equal([0, 1], result.Users);
        Assert.Equal(0.5, result.Mean(MetricNames.Recall, 1), Tolerance);
        Assert.Equal(1, result.Mean(MetricNames.Recall, 2), Tolerance);
        Assert.Equal(0.2, result.Coverage["coverage@1"], Tolerance);
        Assert.Equal(0.3, result.Coverage["coverage@2"], Tolerance);
    }
}
