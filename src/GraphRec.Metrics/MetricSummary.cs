using MathNet.Numerics.Distributions;
using MathNet.Numerics.Statistics;

namespace GraphRec.Metrics;

/// <summary>The mean of a per-user metric with its 95% confidence interval (Student's t). Immutable and serialisable.</summary>
/// <param name="Mean">The mean over users.</param>
/// <param name="Lower">Lower end of the 95% confidence interval of the mean.</param>
/// <param name="Upper">Upper end of the 95% confidence interval of the mean.</param>
/// <param name="StandardDeviation">The sample standard deviation over users.</param>
/// <param name="Count">The number of users.</param>
public sealed record MetricSummary(double Mean, double Lower, double Upper, double StandardDeviation, int Count)
{
    /// <summary>Summarises per-user values: mean ± t(0.975, n − 1) · s / √n. With one value the interval is the value.</summary>
    public static MetricSummary Of(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count == 0)
        {
            return new MetricSummary(double.NaN, double.NaN, double.NaN, double.NaN, 0);
        }

        var (mean, sd) = values.MeanStandardDeviation();
        if (values.Count < 2)
        {
            return new MetricSummary(mean, mean, mean, 0, values.Count);
        }

        double half = StudentT.InvCDF(0, 1, values.Count - 1, 0.975) * sd / Math.Sqrt(values.Count);
        return new MetricSummary(mean, mean - half, mean + half, sd, values.Count);
    }
}
