namespace GraphRec.Core;

/// <summary>
/// Responses of a spectral filter (<see cref="SpectralFilterOptions"/>) as polynomial coefficients. A response is a
/// function of an eigenvalue λ ∈ [0, 1] of the normalized item graph P = R̃ᵀR̃; Chebyshev coefficients are of the
/// scaled Laplacian <c>L̃ = I − 2P</c>, whose eigenvalue is <c>x = 1 − 2λ</c> ∈ [−1, 1]:
/// <code>
///   h(λ) = Σ_k c_k T_k(1 − 2λ),   T_0 = 1, T_1(x) = x, T_k(x) = 2x T_{k-1}(x) − T_{k-2}(x)
/// </code>
/// </summary>
internal static class SpectralResponse
{
    /// <summary>
    /// The Chebyshev interpolant of order <paramref name="order"/> of <paramref name="response"/> on λ ∈ [0, 1]: it
    /// equals the response at the K + 1 Chebyshev nodes <c>x_m = cos((2m − 1)π / (2(K + 1)))</c>, λ_m = (1 − x_m)/2,
    /// <c>c_k = (2 − [k = 0]) / (K + 1) · Σ_m h(λ_m) T_k(x_m)</c>.
    /// </summary>
    /// <param name="response">h(λ), finite on [0, 1].</param>
    /// <param name="order">K, from 0 to <see cref="SpectralFilterOptions.MaxDegree"/>.</param>
    public static double[] Interpolate(Func<double, double> response, int order)
    {
        ArgumentNullException.ThrowIfNull(response);
        CheckOrder(order);
        var nodes = new double[order + 1];
        var values = new double[order + 1];
        for (int m = 0; m <= order; m++)
        {
            nodes[m] = Math.Cos((2 * m + 1) * Math.PI / (2 * (order + 1)));
            values[m] = response((1 - nodes[m]) / 2);
        }

        return Coefficients(nodes, values);
    }

    /// <summary>
    /// ChebyCF's plateau response as its official code makes it (<c>ChebyFilter.plateau</c> and <c>fit</c>): the
    /// response <see cref="Plateau"/> sampled, rounded to 3 decimals, at the K + 1 points <c>x_j = cos((K − j)π / K)</c>
    /// (themselves rounded to 3 decimals), and those values taken as the values at the Chebyshev nodes
    /// <c>cos((K + 1/2 − j)π / (K + 1))</c>, j = 0..K, for the interpolation. The nodes are not the points sampled, so
    /// the polynomial is close to, not equal to, the plateau's interpolant (<see cref="Interpolate"/>); this is the
    /// recipe behind the published figures.
    /// </summary>
    /// <param name="order">K, from 1 to <see cref="SpectralFilterOptions.MaxDegree"/>.</param>
    /// <param name="flatness">φ, the plateau's exponent, positive.</param>
    public static double[] ChebyCfPlateau(int order, double flatness)
    {
        CheckOrder(order);
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(flatness);
        var nodes = new double[order + 1];
        var values = new double[order + 1];
        for (int j = 0; j <= order; j++)
        {
            double x = Math.Round(Math.Cos((double)(order - j) / order * Math.PI), 3, MidpointRounding.ToEven);
            values[j] = Math.Round(PlateauOfLaplacian(x, flatness), 3, MidpointRounding.ToEven);
            nodes[j] = Math.Cos((order + 0.5 - j) / (order + 1) * Math.PI);
        }

        return Coefficients(nodes, values);
    }

    /// <summary>
    /// ChebyCF's plateau response of flatness φ at an eigenvalue λ of P: with x = 1 − 2λ, <c>½ + ½(−x)^φ</c> for x &lt; 0
    /// and <c>½ − ½ x^φ</c> otherwise: 1 at λ = 1 (the smoothest signal), ½ at λ = ½, 0 at λ = 0, flatter at both ends as φ grows.
    /// </summary>
    public static double Plateau(double lambda, double flatness) => PlateauOfLaplacian(1 - (2 * lambda), flatness);

    /// <summary>The response <c>Σ_k c_k T_k(1 − 2λ)</c> of Chebyshev coefficients at λ.</summary>
    public static double EvaluateChebyshev(IReadOnlyList<double> coefficients, double lambda)
    {
        ArgumentNullException.ThrowIfNull(coefficients);
        double x = 1 - (2 * lambda), previous = 1, current = x, sum = coefficients.Count > 0 ? coefficients[0] : 0;
        for (int k = 1; k < coefficients.Count; k++)
        {
            sum += coefficients[k] * current;
            (previous, current) = (current, (2 * x * current) - previous);
        }

        return sum;
    }

    /// <summary>
    /// The polynomial in P that one step of the fourth-order Runge–Kutta method of length τ applies to r for the linear
    /// ODE <c>dr/dt = −r P</c>: <c>Σ_{j≤4} (−τ)^j P^j / j!</c>, coefficients of P^0..P^4. Every four-stage fourth-order
    /// Runge–Kutta method (the classic one, the 3/8 rule of torchdiffeq's <c>rk4</c>) gives this same polynomial on a
    /// linear ODE with constant coefficients.
    /// </summary>
    public static double[] RungeKutta4Step(double tau)
    {
        var coefficients = new double[5];
        double term = 1;
        for (int j = 0; j <= 4; j++)
        {
            coefficients[j] = term;
            term *= -tau / (j + 1);
        }

        return coefficients;
    }

    private static double PlateauOfLaplacian(double x, double flatness) =>
        x < 0 ? (Math.Pow(-x, flatness) * 0.5) + 0.5 : (Math.Pow(x, flatness) * -0.5) + 0.5;

    /// <summary><c>c_k = (2 − [k = 0]) / (K + 1) · Σ_m values[m] T_k(nodes[m])</c>.</summary>
    private static double[] Coefficients(double[] nodes, double[] values)
    {
        int count = nodes.Length;
        var coefficients = new double[count];
        for (int m = 0; m < count; m++)
        {
            double x = nodes[m], previous = 1, current = x;
            coefficients[0] += values[m];
            for (int k = 1; k < count; k++)
            {
                coefficients[k] += values[m] * current;
                (previous, current) = (current, (2 * x * current) - previous);
            }
        }

        for (int k = 0; k < count; k++)
        {
            coefficients[k] *= (k == 0 ? 1.0 : 2.0) / count;
        }

        return coefficients;
    }

    private static void CheckOrder(int order)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(order);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(order, SpectralFilterOptions.MaxDegree);
    }
}
