using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;

namespace GraphRec.Metrics;

/// <summary>
/// Whether system A's per-user metric differs from system B's on the same users: a paired t-test and a Wilcoxon
/// signed-rank test, both two-sided. Immutable and serialisable.
/// </summary>
/// <param name="MeanDifference">Mean of A − B.</param>
/// <param name="TStatistic">t = mean(d) / (sd(d) / √n).</param>
/// <param name="TTestPValue">Two-sided p-value of the paired t-test (n − 1 degrees of freedom).</param>
/// <param name="WilcoxonStatistic">W = the smaller of the positive and negative rank sums (zero differences dropped).</param>
/// <param name="WilcoxonPValue">Two-sided p-value of the signed-rank test, normal approximation with tie and continuity correction.</param>
/// <param name="Count">Number of paired users.</param>
public sealed record PairedComparison(double MeanDifference, double TStatistic, double TTestPValue, double WilcoxonStatistic, double WilcoxonPValue, int Count)
{
    /// <summary>Whether both tests reject equality at <paramref name="alpha"/> (default 0.05).</summary>
    public bool IsSignificant(double alpha = 0.05) => TTestPValue < alpha && WilcoxonPValue < alpha;

    /// <summary>Compares paired per-user values of A and B.</summary>
    /// <exception cref="ArgumentException">The lists differ in length or have fewer than 2 pairs.</exception>
    public static PairedComparison Compare(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count || a.Count < 2)
        {
            throw new ArgumentException($"Paired tests need two equally long lists of at least 2 values; got {a.Count} and {b.Count}.");
        }

        var differences = a.Zip(b, (x, y) => x - y).ToArray();
        var (mean, sd) = differences.MeanStandardDeviation();
        double t, tP;
        if (sd == 0)
        {
            (t, tP) = mean == 0 ? (0, 1) : (double.PositiveInfinity * Math.Sign(mean), 0);
        }
        else
        {
            t = mean / (sd / Math.Sqrt(differences.Length));
            tP = 2 * StudentT.CDF(0, 1, differences.Length - 1, -Math.Abs(t));
        }

        var (w, wP) = Wilcoxon(differences);
        return new PairedComparison(mean, t, tP, w, wP, differences.Length);
    }

    private static (double W, double P) Wilcoxon(double[] differences)
    {
        var nonZero = differences.Where(d => d != 0).ToArray();
        int n = nonZero.Length;
        if (n == 0)
        {
            return (0, 1);
        }

        // Average ranks of |d| (ties share the mean of their ranks).
        var ranks = Statistics.Ranks(nonZero.Select(Math.Abs), RankDefinition.Average);
        double positive = 0, negative = 0;
        for (int i = 0; i < n; i++)
        {
            if (nonZero[i] > 0)
            {
                positive += ranks[i];
            }
            else
            {
                negative += ranks[i];
            }
        }

        // In doubles: n (n + 1) (2n + 1) overflows an int from n = 1,024 on.
        double count = n;
        double tieCorrection = nonZero.Select(Math.Abs).GroupBy(v => v).Sum(g => Math.Pow(g.Count(), 3) - g.Count()) / 48.0;
        double mean = count * (count + 1) / 4.0;
        double variance = (count * (count + 1) * ((2 * count) + 1) / 24.0) - tieCorrection;
        double w = Math.Min(positive, negative);
        if (variance <= 0)
        {
            return (w, 1);
        }

        double z = (w - mean + 0.5) / Math.Sqrt(variance);
        return (w, Math.Min(1, 2 * Normal.CDF(0, 1, Math.Min(z, 0))));
    }
}
