using GraphRec.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphRec.Core.Tests;

/// <summary>
/// The spectral filter against dense references on a small graph: each configuration's scores against its formula with
/// h, g applied through the exact eigen-decomposition of P; the Chebyshev interpolation against the response it
/// approximates; BSPM's Runge–Kutta polynomial against a numerical integration of its ODE; visitors against users.
/// </summary>
public sealed class SpectralFilterTests
{
    // More users than a block (64) so that scoring every user crosses blocks.
    private const int Users = 150, Items = 40, Rank = 8;

    [Theory]
    [InlineData("gf-cf")]
    [InlineData("bspm")]
    [InlineData("chebycf")]
    [InlineData("chebycf-no-ideal")]
    [InlineData("sharpened-chebyshev")]
    [InlineData("output-normalization")]
    [InlineData("user-normalization")]
    [InlineData("ideal-user-degree")]
    [InlineData("sharpened-ideal-user-degree")]
    public void Each_configuration_scores_what_its_formula_gives_through_the_eigen_decomposition_of_P(string configuration)
    {
        var (train, rows) = Graph(seed: 8);
        var options = Configuration(configuration);
        using var scorer = SpectralFilterScorer.Fit(train, options);
        using var scope = NewDisposeScope();
        var expected = DenseScores(rows, options);

        var actual = scorer.Score([.. Enumerable.Range(0, Users)]).to_type(ScalarType.Float64);

        double difference = (actual - expected).abs().max().item<double>(), size = expected.abs().max().item<double>();
        Assert.True(difference < 2e-5 * Math.Max(size, 1), $"{configuration}: scores differ by {difference} (largest score {size})");
    }

    [Fact]
    public void The_chebyshev_terms_combined_with_a_responses_coefficients_and_scaled_give_that_filters_scores()
    {
        var (train, rows) = Graph(seed: 5);
        var coefficients = SpectralResponse.ChebyCfPlateau(6, 2.0);
        var options = new SpectralFilterOptions { Polynomial = [], ChebyshevCoefficients = coefficients, UserNormalization = 0.6, InputNormalization = 0.3, Alpha = 0 };
        using var filter = SpectralFilterScorer.Fit(train, options);
        using var terms = new SpectralFilterScorer(train, [], 0, new SpectralFilterOptions
        {
            Polynomial = [], ChebyshevCoefficients = new double[10], UserNormalization = 0.6, InputNormalization = 0.3, Alpha = 0,
        });
        using var scope = NewDisposeScope();
        const int start = 70, width = 50;
        var buffers = Enumerable.Range(0, 10).Select(_ => new float[Items * width]).ToArray();

        terms.ChebyshevTerms(rows, start, width, buffers);

        var expected = filter.Score([.. Enumerable.Range(start, width)]).to_type(ScalarType.Float64);
        var degrees = train.ItemDegrees();
        var combined = zeros([Items, width], dtype: ScalarType.Float64);
        for (int k = 0; k < coefficients.Length; k++)
        {
            combined = combined.Plus(tensor(buffers[k], [Items, width]).to_type(ScalarType.Float64).Times(coefficients[k]));
        }

        var actual = combined.t() * tensor(degrees.Select(d => d == 0 ? 0 : Math.Pow(d, 0.3)).ToArray());
        double difference = (actual - expected).abs().max().item<double>();
        Assert.True(difference < 1e-5, $"scores differ by {difference}");
    }

    [Fact]
    public void The_gf_cf_configuration_scores_as_the_graph_filter_does()
    {
        var (train, _) = Graph(seed: 3);
        using var spectral = SpectralFilterScorer.Fit(train, Exact(SpectralFilterOptions.GfCf()));
        using var filter = GraphFilterScorer.Fit(train, new SpectralFilterOptions { Rank = Rank, Alpha = 0.3, Oversampling = Items });
        using var scope = NewDisposeScope();
        var users = Enumerable.Range(0, Users).ToArray();

        var difference = (spectral.Score(users) - filter.Score(users)).abs().max().item<float>();

        Assert.True(difference < 1e-5f, $"scores differ by {difference}");
    }

    [Fact]
    public void Chebyshev_interpolation_matches_a_smooth_response_on_the_whole_spectrum_and_the_plateau_at_its_nodes()
    {
        static double Smooth(double lambda) => Math.Exp(-3 * lambda) * Math.Cos(2 * lambda);
        var smooth = SpectralResponse.Interpolate(Smooth, 14);
        var grid = Enumerable.Range(0, 1001).Select(i => i / 1000.0).ToArray();
        double smoothError = grid.Max(l => Math.Abs(SpectralResponse.EvaluateChebyshev(smooth, l) - Smooth(l)));
        Assert.True(smoothError < 1e-10, $"the order-14 interpolant is off by {smoothError}");

        // The plateau has a kink in its derivative at λ = ½ for φ = 1.5: the interpolant meets it at the nodes, and comes
        // closer everywhere as the order grows.
        const int order = 8;
        var plateau = SpectralResponse.Interpolate(l => SpectralResponse.Plateau(l, 1.5), order);
        for (int m = 0; m <= order; m++)
        {
            double node = (1 - Math.Cos((2 * m + 1) * Math.PI / (2 * (order + 1)))) / 2;
            Assert.Equal(SpectralResponse.Plateau(node, 1.5), SpectralResponse.EvaluateChebyshev(plateau, node), 12);
        }

        double Error(double[] coefficients) => grid.Max(l => Math.Abs(SpectralResponse.EvaluateChebyshev(coefficients, l) - SpectralResponse.Plateau(l, 1.5)));
        double error8 = Error(plateau), error32 = Error(SpectralResponse.Interpolate(l => SpectralResponse.Plateau(l, 1.5), 32));
        Assert.True(error8 < 0.02 && error32 < error8 / 3, $"the plateau's interpolants are off by {error8} (order 8) and {error32} (order 32)");

        // ChebyCF's own recipe samples the plateau off the nodes; it stays within a few hundredths of the plateau.
        double official = Error(SpectralResponse.ChebyCfPlateau(order, 1.5));
        Assert.True(official < 0.05, $"ChebyCF's polynomial is {official} off the plateau");
    }

    [Fact]
    public void SetResponse_makes_the_chebyshev_filter_of_the_response_in_place_of_the_polynomial()
    {
        static double Smooth(double lambda) => Math.Exp(-3 * lambda) * Math.Cos(2 * lambda);
        var options = new SpectralFilterOptions();

        options.SetResponse(Smooth, 14);

        Assert.Empty(options.Polynomial);
        Assert.Equal(15, options.ChebyshevCoefficients.Count);
        foreach (double lambda in new[] { 0, 0.13, 0.5, 0.92, 1 })
        {
            Assert.Equal(Smooth(lambda), SpectralResponse.EvaluateChebyshev([.. options.ChebyshevCoefficients], lambda), 9);
        }

        options.Validate();
    }

    [Fact]
    public void The_sharpening_polynomial_is_one_runge_kutta_step_and_its_steps_converge_to_the_ode_solution()
    {
        var (_, rows) = Graph(seed: 11);
        using var scope = NewDisposeScope();
        var p = NormalizedGraph(rows, 0.5, out _);
        var r = Dense(rows)[..5];
        Tensor F(Tensor x) => x.mm(p).Times(-1.0);
        const double tau = 2.5;

        // The classic stages and the 3/8 rule (torchdiffeq's rk4), integrated numerically.
        var k1 = F(r);
        var k2 = F(r.Plus(k1.Times(tau / 2)));
        var k3 = F(r.Plus(k2.Times(tau / 2)));
        var k4 = F(r.Plus(k3.Times(tau)));
        var classic = r.Plus(k1.Plus(k2.Times(2.0)).Plus(k3.Times(2.0)).Plus(k4).Times(tau / 6));
        var q1 = F(r);
        var q2 = F(r.Plus(q1.Times(tau / 3)));
        var q3 = F(r.Plus(q2.Plus(q1.Times(-1.0 / 3)).Times(tau)));
        var q4 = F(r.Plus(q1.Plus(q2.Times(-1.0)).Plus(q3).Times(tau)));
        var threeEighths = r.Plus(q1.Plus(q2.Times(3.0)).Plus(q3.Times(3.0)).Plus(q4).Times(tau / 8));

        var polynomial = ApplyPolynomial(r, p, SpectralResponse.RungeKutta4Step(tau));

        Assert.True(polynomial.allclose(classic, rtol: 1e-12, atol: 1e-12), $"off the classic step by {(polynomial - classic).abs().max().item<double>()}");
        Assert.True(polynomial.allclose(threeEighths, rtol: 1e-12, atol: 1e-12), $"off the 3/8 rule by {(polynomial - threeEighths).abs().max().item<double>()}");

        // Sixteen steps of T / 16 approach the exact solution r exp(−T P).
        var (values, vectors) = linalg.eigh(p);
        var exact = r.mm(vectors).mm(diag(values.Times(-tau).exp())).mm(vectors.t());
        var stepped = r.clone();
        var step = SpectralResponse.RungeKutta4Step(tau / 16);
        for (int s = 0; s < 16; s++)
        {
            stepped = ApplyPolynomial(stepped, p, step);
        }

        double off = (stepped - exact).abs().max().item<double>();
        Assert.True(off < 1e-5, $"16 steps are {off} off the ODE's solution");
    }

    [Fact]
    public void A_visitor_with_exactly_a_training_users_items_gets_exactly_that_users_scores()
    {
        var (train, rows) = Graph(seed: 5);
        using var scorer = SpectralFilterScorer.Fit(train, Exact(SpectralFilterOptions.ChebyCf()));
        using var sharpened = SpectralFilterScorer.Fit(train, Exact(SpectralFilterOptions.Bspm()));
        using var byDegree = SpectralFilterScorer.Fit(train, Exact(ChebyCfWith(o => o.IdealUserDegreeExponent = -0.5)));
        using var scope = NewDisposeScope();
        foreach (var filter in new[] { scorer, sharpened, byDegree })
        {
            foreach (int user in new[] { 0, 70, 149 })
            {
                var asUser = filter.Score([user]).data<float>().ToArray();
                var asVisitor = filter.ScoreRows([rows[user]]).data<float>().ToArray();
                Assert.Equal(asUser, asVisitor);
            }
        }
    }

    [Fact]
    public async Task A_saved_filter_loads_with_its_configuration_and_scores_the_same()
    {
        var (train, _) = Graph(seed: 2);
        var dataset = new InteractionDataset("small", new IdMap(Enumerable.Range(0, Users).Select(u => (long)u + 100)),
            new IdMap(Enumerable.Range(0, Items).Select(i => (long)i + 1000)), train, null, new LoadReport(train.Count, 0, 0, 0, []));
        var split = dataset.Split(Splitters.RandomHoldout(0.2, seed: 3));
        var options = Exact(SpectralFilterOptions.Bspm());
        options.OutputNormalization = 0.6;
        options.UserNormalization = 0.7;
        options.IdealUserDegreeExponent = -0.25;
        using var fitted = SpectralFilter.Fit(dataset, split, options);
        string path = Path.Combine(Path.GetTempPath(), $"spectral-{Guid.NewGuid():N}.grm");
        try
        {
            await fitted.SaveAsync(path);
            using var loaded = await SpectralFilter.LoadAsync(path);
            using var any = await Recommenders.LoadAsync(path);

            Assert.Equal(ModelFile.SpectralFilterKind, any.ModelKind);
            Assert.Equal(2.5, loaded.Options.SharpeningTime);
            Assert.Equal(0.2, loaded.Options.Alpha);
            Assert.Equal(0.6, loaded.Options.OutputNormalization);
            Assert.Equal(0.7, loaded.Options.UserNormalization);
            Assert.Equal(-0.25, loaded.Options.IdealUserDegreeExponent);
            // The same items; scores to float rounding (the dense product's summation order may follow its buffers' alignment).
            foreach (var (expected, actual) in new[] { (fitted.Recommend(100, 10), loaded.Recommend(100, 10)), (fitted.Recommend(149, 10), any.Recommend(149, 10)) })
            {
                Assert.Equal(expected.Select(r => r.ItemId), actual.Select(r => r.ItemId));
                Assert.All(expected.Zip(actual), pair => Assert.Equal(pair.First.Score, pair.Second.Score, 1e-6f));
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static SpectralFilterOptions Configuration(string name) => name switch
    {
        "gf-cf" => Exact(SpectralFilterOptions.GfCf()),
        "bspm" => Exact(SpectralFilterOptions.Bspm()),
        "chebycf" => Exact(SpectralFilterOptions.ChebyCf()),
        "chebycf-no-ideal" => Exact(new SpectralFilterOptions { Polynomial = [], ChebyshevCoefficients = SpectralResponse.ChebyCfPlateau(8, 1.5), InputNormalization = 0.4, Alpha = 0 }),
        "sharpened-chebyshev" => Exact(new SpectralFilterOptions
        {
            Polynomial = [],
            ChebyshevCoefficients = SpectralResponse.Interpolate(l => l * l, 3),
            InputNormalization = 0.3,
            IdealNormalization = 0.7,
            Alpha = 0.5,
            SharpeningTime = 1.5,
            SharpeningSteps = 2,
        }),
        "output-normalization" => Exact(ChebyCfWith(o => (o.OutputNormalization, o.IdealNormalization) = (0.7, 0.3))),
        "user-normalization" => Exact(ChebyCfWith(o => (o.UserNormalization, o.OutputNormalization) = (0.8, 0.3))),
        "ideal-user-degree" => Exact(ChebyCfWith(o => (o.IdealUserDegreeExponent, o.Alpha) = (-0.5, 0.6))),
        "sharpened-ideal-user-degree" => Exact(WithIdealUserDegree(SpectralFilterOptions.Bspm(), 0.7)),
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static SpectralFilterOptions WithIdealUserDegree(SpectralFilterOptions options, double exponent)
    {
        options.IdealUserDegreeExponent = exponent;
        return options;
    }

    private static SpectralFilterOptions ChebyCfWith(Action<SpectralFilterOptions> change)
    {
        var options = SpectralFilterOptions.ChebyCf();
        change(options);
        return options;
    }

    /// <summary>The options at rank 8 with oversampling up to the item count: the range finder then spans the whole range, so the SVD is exact.</summary>
    private static SpectralFilterOptions Exact(SpectralFilterOptions options)
    {
        options.Rank = Rank;
        options.Oversampling = Items;
        return options;
    }

    /// <summary>
    /// The formula in float64 with dense matrices: h and g applied as functions of P's eigenvalues (h in Chebyshev form
    /// through <c>T_k(x) = cos(k arccos x)</c>), V_k from a dense SVD.
    /// </summary>
    private static Tensor DenseScores(int[][] rows, SpectralFilterOptions options)
    {
        var r = Dense(rows);
        var p = NormalizedGraph(rows, options.UserNormalization, out var normalized);
        var degrees = r.sum(0L).data<double>().ToArray();
        Tensor Scale(double power) => tensor(degrees.Select(d => d > 0 ? Math.Pow(d, power) : 0).ToArray());
        var (values, vectors) = linalg.eigh(p);
        var lambdas = values.data<double>().ToArray();
        var response = lambdas.Select(l =>
        {
            double x = Math.Clamp(1 - (2 * l), -1, 1);
            return options.ChebyshevCoefficients.Count > 0
                ? options.ChebyshevCoefficients.Select((c, k) => c * Math.Cos(k * Math.Acos(x))).Sum()
                : options.Polynomial.Select((c, j) => c * Math.Pow(l, j)).Sum();
        }).ToArray();
        var h = vectors.mm(diag(tensor(response))).mm(vectors.t());

        double beta = options.InputNormalization, gamma = options.IdealNormalization;
        var blurred = (r * Scale(-beta)).mm(h) * Scale(options.OutputNormalization ?? beta);
        if (options.Alpha != 0)
        {
            var (_, _, vt) = linalg.svd(normalized, false);
            var basis = vt[..Rank].t();
            // Each user's weight (n_u / n̄)^ρ, n̄ the mean item count of the users who have items.
            var counts = rows.Select(row => (double)row.Length).ToArray();
            double mean = counts.Where(n => n > 0).Average();
            var weights = tensor(counts.Select(n => n > 0 ? Math.Pow(n / mean, options.IdealUserDegreeExponent) : 1).ToArray()).unsqueeze(1);
            blurred = blurred.Plus(((r * Scale(-gamma)).mm(basis).mm(basis.t()) * Scale(gamma) * weights).Times(options.Alpha));
        }

        if (options.SharpeningTime > 0)
        {
            double tau = options.SharpeningTime / options.SharpeningSteps;
            var step = lambdas.Select(l => Enumerable.Range(0, 5).Sum(j => Math.Pow(-tau * l, j) / Factorial(j))).ToArray();
            var g = vectors.mm(diag(tensor(step.Select(v => Math.Pow(v, options.SharpeningSteps)).ToArray()))).mm(vectors.t());
            blurred = blurred.mm(g);
        }

        return blurred;
    }

    private static double Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);

    private static Tensor ApplyPolynomial(Tensor x, Tensor p, double[] coefficients)
    {
        var sum = zeros_like(x);
        var power = x.clone();
        foreach (double c in coefficients)
        {
            sum = sum.Plus(power.Times(c));
            power = power.mm(p);
        }

        return sum;
    }

    /// <summary>P = R̃ᵀR̃ in float64, and R̃ = D_U^-a R D_I^-1/2.</summary>
    private static Tensor NormalizedGraph(int[][] rows, double userPower, out Tensor normalized)
    {
        var r = Dense(rows);
        using var power = (-userPower).ToScalar();
        var userScale = r.sum(1L).pow(power).nan_to_num(0, 0, 0);
        var itemScale = r.sum(0L).rsqrt().nan_to_num(0, 0, 0);
        normalized = r * userScale.unsqueeze(1) * itemScale.unsqueeze(0);
        return normalized.t().mm(normalized);
    }

    private static Tensor Dense(int[][] rows)
    {
        var r = zeros([rows.Length, Items], dtype: ScalarType.Float64);
        for (int u = 0; u < rows.Length; u++)
        {
            foreach (int i in rows[u])
            {
                r[u, i] = 1.0;
            }
        }

        return r;
    }

    /// <summary>150 users x 40 items, each pair present with probability 0.2 (some items may have no user).</summary>
    private static (Interactions Train, int[][] Rows) Graph(int seed)
    {
        var random = new Random(seed);
        var rows = Enumerable.Range(0, Users).Select(u => Enumerable.Range(0, Items).Where(_ => random.NextDouble() < 0.2).ToArray()).ToArray();
        var pointers = new int[Users + 1];
        for (int u = 0; u < Users; u++)
        {
            pointers[u + 1] = pointers[u] + rows[u].Length;
        }

        return (new Interactions(Users, Items, pointers, [.. rows.SelectMany(r => r)]), rows);
    }
}
