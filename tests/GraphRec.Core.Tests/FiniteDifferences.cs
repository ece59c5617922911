using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

/// <summary>Central differences of a scalar function of a 2-D double tensor, compared with a gradient.</summary>
internal static class FiniteDifferences
{
    /// <summary>The largest |(f(x + h e) − f(x − h e)) / 2h − gradient| over every element; <paramref name="x"/> is restored.</summary>
    public static double LargestError(Tensor x, Func<Tensor, double> f, Tensor gradient, double h = 1e-6)
    {
        double worst = 0;
        for (long row = 0; row < x.shape[0]; row++)
        {
            for (long column = 0; column < x.shape[1]; column++)
            {
                double original = x[row, column].item<double>();
                x[row, column] = original + h;
                double up = f(x);
                x[row, column] = original - h;
                double down = f(x);
                x[row, column] = original;
                worst = Math.Max(worst, Math.Abs(((up - down) / (2 * h)) - gradient[row, column].to_type(ScalarType.Float64).item<double>()));
            }
        }

        return worst;
    }
}
