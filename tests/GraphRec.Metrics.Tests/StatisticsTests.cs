namespace GraphRec.Metrics.Tests;

/// <summary>Textbook values: Student's sleep data (Cushny and Peebles, 1905), as in R's <c>t.test</c> and <c>wilcox.test</c>.</summary>
public sealed class StatisticsTests
{
    private static readonly double[] Drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    private static readonly double[] Drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];

    [Fact]
    public void Paired_t_test_matches_the_textbook()
    {
        // R: t.test(Drug1, Drug2, paired = TRUE): t = -4.0621, df = 9, p-value = 0.002833, mean difference -1.58.
        var result = PairedComparison.Compare(Drug1, Drug2);

        Assert.Equal(-1.58, result.MeanDifference, 1e-12);
        Assert.Equal(-4.0621, result.TStatistic, 1e-4);
        Assert.Equal(0.002833, result.TTestPValue, 1e-6);
    }

    [Fact]
    public void Wilcoxon_signed_rank_matches_the_textbook()
    {
        // R: wilcox.test(Drug1, Drug2, paired = TRUE): V = 0, p-value = 0.009091 (normal approximation, ties, one zero dropped).
        var result = PairedComparison.Compare(Drug1, Drug2);

        Assert.Equal(0, result.WilcoxonStatistic);
        Assert.Equal(0.009091, result.WilcoxonPValue, 1e-6);
        Assert.True(result.IsSignificant());
    }

    [Fact]
    public void Wilcoxon_on_thousands_of_users_matches_the_hand_worked_normal_approximation()
    {
        // d_i = ±i for i = 1..2000, positive for even i: W+ = 2(1 + ... + 1000) = 1,001,000, W- = 1000² = 1,000,000.
        // μ = n(n+1)/4 = 1,000,500, σ² = n(n+1)(2n+1)/24 = 667,166,750, z = (1,000,000 − μ + 0.5)/σ = −0.0193383, p = 2Φ(z).
        double[] a = [.. Enumerable.Range(1, 2000).Select(i => i % 2 == 0 ? (double)i : -i)];
        var mixed = PairedComparison.Compare(a, new double[2000]);
        Assert.Equal(1_000_000, mixed.WilcoxonStatistic);
        Assert.Equal(0.98457123057, mixed.WilcoxonPValue, 1e-9);

        // Every one of 3,000 users better: as significant as it gets.
        var better = PairedComparison.Compare([.. Enumerable.Range(1, 3000).Select(i => (double)i)], new double[3000]);
        Assert.True(better.WilcoxonPValue < 1e-100, $"p = {better.WilcoxonPValue}");
    }

    [Fact]
    public void Identical_systems_are_not_significantly_different()
    {
        var result = PairedComparison.Compare(Drug1, Drug1);

        Assert.Equal(1, result.TTestPValue);
        Assert.Equal(1, result.WilcoxonPValue);
        Assert.False(result.IsSignificant());
    }

    [Fact]
    public void Confidence_interval_uses_student_t()
    {
        // mean 0.75, sd 1.7890 (n = 10), t(0.975, 9) = 2.262157: half-width 1.27977.
        var summary = MetricSummary.Of(Drug1);

        Assert.Equal(0.75, summary.Mean, 1e-12);
        Assert.Equal(0.75 - 1.279771, summary.Lower, 1e-5);
        Assert.Equal(0.75 + 1.279771, summary.Upper, 1e-5);
    }
}
