namespace GraphRec.Core;

/// <summary>
/// Everything that shapes a spectral filter (<see cref="SpectralFilter"/>): the response h applied to the normalized
/// item graph P = R̃ᵀR̃, the ideal low-pass term, the degree normalizations and the sharpening after the merge.
/// Settable, so that <c>IOptions&lt;SpectralFilterOptions&gt;</c> can bind it from configuration; <see cref="Validate"/>
/// checks it. <see cref="GfCf"/>, <see cref="Bspm"/> and <see cref="ChebyCf"/> give the published recipes.
/// </summary>
/// <remarks>
/// The defaults are GF-CF's (h(P) = P, α = 0.3, k = 256, ideal term normalized by D_I^∓1/2).
/// </remarks>
public sealed class SpectralFilterOptions
{
    /// <summary>The largest <see cref="Alpha"/> in size.</summary>
    public const double MaxAlpha = 1000;

    /// <summary>The highest polynomial degree (of <see cref="Polynomial"/>, <see cref="ChebyshevCoefficients"/>) accepted.</summary>
    public const int MaxDegree = 64;

    /// <summary>
    /// h as coefficients c_j of powers of P, <c>h(P) = Σ_j c_j P^j</c>, evaluated by Horner's rule, one product with P
    /// (two sparse products with R̃) a degree. Used when <see cref="ChebyshevCoefficients"/> is empty. Default
    /// <c>[0, 1]</c>: h(P) = P, GF-CF's linear filter.
    /// </summary>
    public IList<double> Polynomial { get; set; } = [0, 1];

    /// <summary>
    /// h as coefficients c_k of Chebyshev polynomials of the scaled Laplacian <c>L̃ = I − 2P</c>, whose spectrum is in
    /// [−1, 1]: <c>h = Σ_k c_k T_k(L̃)</c>, evaluated by the three-term recurrence (one product with P per order).
    /// <see cref="SetResponse"/> makes them from a response function. Empty (the default): <see cref="Polynomial"/> is used.
    /// </summary>
    public IList<double> ChebyshevCoefficients { get; set; } = [];

    /// <summary>β, the exponent of the item degrees that scale the input of h and its output: <c>(r ∘ d^-β) h(P) ∘ d^β</c>, from 0 to 2. Default 0.</summary>
    public double InputNormalization { get; set; }

    /// <summary>
    /// β_out, the exponent of the item degrees that scale h's output apart from its input: <c>(r ∘ d^-β) h(P) ∘ d^β_out</c>,
    /// from 0 to 2. Null (the default): β_out = β (<see cref="InputNormalization"/>), as GF-CF, BSPM and ChebyCF have it.
    /// Above β it raises popular items in the filtered scores, below β it lowers them.
    /// </summary>
    public double? OutputNormalization { get; set; }

    /// <summary>
    /// a, the exponent of the user degrees in the normalized matrix <c>R̃ = D_U^-a R D_I^-1/2</c> that P = R̃ᵀR̃ and V_k
    /// are made of, from 0.5 to 1 (below ½ the spectrum of P could leave [0, 1], where the Chebyshev form holds; above,
    /// it stays in [0, 1] since <c>D_U^-2a ≤ D_U^-1</c>). Default 0.5, the symmetric normalization of every recipe; more
    /// lowers the weight of heavy users' co-occurrences in P.
    /// </summary>
    public double UserNormalization { get; set; } = 0.5;

    /// <summary>γ, the same exponent for the ideal term: <c>(r ∘ d^-γ) V_k V_kᵀ ∘ d^γ</c>, from 0 to 2. Default 0.5 (GF-CF's and BSPM's).</summary>
    public double IdealNormalization { get; set; } = 0.5;

    /// <summary>
    /// ρ, how the ideal term's weight follows the user's activity: a user with n items gets <c>α · (n / n̄)^ρ</c>, n̄
    /// the mean number of items of the training users who have any, from -2 to 2. Default 0: the same α for every user,
    /// as every recipe has it. Below 0 a user with few items leans more on the smooth low-rank term, a user with many
    /// more on h.
    /// </summary>
    public double IdealUserDegreeExponent { get; set; }

    /// <summary>k, how many right singular vectors of R̃ form the ideal low-pass term, positive (capped at the smaller side of R). Default 256.</summary>
    public int Rank { get; set; } = 256;

    /// <summary>α, the weight of the ideal low-pass term, from -1,000 to 1,000; 0 leaves it out (and skips the SVD). Default 0.3.</summary>
    public double Alpha { get; set; } = 0.3;

    /// <summary>
    /// T, the time of BSPM's sharpening ODE <c>dr/dt = −r P</c> run from the merged scores, 0 or more; 0 (the default)
    /// leaves it out. It is integrated by <see cref="SharpeningSteps"/> steps of the fourth-order Runge–Kutta method,
    /// which for this linear ODE is the polynomial <c>Σ_{j≤4} (−τP)^j / j!</c> per step, τ = T / steps.
    /// </summary>
    public double SharpeningTime { get; set; }

    /// <summary>The Runge–Kutta steps of the sharpening, from 1 to 16. Default 1.</summary>
    public int SharpeningSteps { get; set; } = 1;

    /// <summary>Extra columns of the randomized SVD's test matrix, 0 or more. Default 20.</summary>
    public int Oversampling { get; set; } = 20;

    /// <summary>Power iterations of the randomized SVD, 0 or more. Default 4.</summary>
    public int PowerIterations { get; set; } = 4;

    /// <summary>Seed of the randomized SVD's test matrix. Default 2020.</summary>
    public int Seed { get; set; } = 2020;

    /// <summary>The cut-offs K that <see cref="SpectralFilter.Evaluate"/> reports, all positive. Default 10 and 20.</summary>
    public IList<int> Cutoffs { get; set; } = [10, 20];

    /// <summary>
    /// GF-CF (Shen et al., CIKM 2021): <c>s = r P + 0.3 · (r ∘ d^-1/2) V_256 V_256ᵀ ∘ d^1/2</c>, the defaults. A filter of
    /// this shape (h(P) = P, β = 0, γ = ½, no sharpening, α ≠ 0; any k and α) is scored by GF-CF's own scorer, two sparse
    /// hops per user, and saved as a <c>gf-cf</c> model.
    /// </summary>
    public static SpectralFilterOptions GfCf() => new();

    /// <summary>
    /// BSPM-EM on Gowalla (Choi et al., SIGIR 2023; the official README's command): blurring <c>b = r P + 0.2 · (r ∘
    /// d^-1/2) V_448 V_448ᵀ ∘ d^1/2</c>, then one RK4 step of <c>dr/dt = −r P</c> over T = 2.5 from b (early merge,
    /// final sharpening): <c>s = b Σ_{j≤4} (−2.5 P)^j / j!</c>. Its SVD is made accurate (<see cref="Oversampling"/>
    /// 200, <see cref="PowerIterations"/> 16) as the official code's exact one is: GF-CF's defaults leave the top 448
    /// vectors approximate enough to move Recall and NDCG@20 on Gowalla by about 0.001.
    /// </summary>
    public static SpectralFilterOptions Bspm() => new() { Alpha = 0.2, Rank = 448, SharpeningTime = 2.5, SharpeningSteps = 1, Oversampling = AccurateOversampling, PowerIterations = AccuratePowerIterations };

    /// <summary>
    /// ChebyCF on Gowalla (Kim et al., SIGIR 2025; the official <c>chebycf_gowalla.yml</c>): the order-8 Chebyshev
    /// filter of the plateau response with φ = 1.5, sampled as the official code samples it, β = 0.4 on both
    /// terms, the ideal term of 512 vectors with weight 0.2:
    /// <c>s = ((r ∘ d^-0.4) h(L̃) + 0.2 · (r ∘ d^-0.4) V_512 V_512ᵀ) ∘ d^0.4</c>. Its SVD is made accurate, as
    /// <see cref="Bspm"/>'s is.
    /// </summary>
    public static SpectralFilterOptions ChebyCf() => new()
    {
        Polynomial = [],
        ChebyshevCoefficients = SpectralResponse.ChebyCfPlateau(8, 1.5),
        InputNormalization = 0.4,
        IdealNormalization = 0.4,
        Rank = 512,
        Alpha = 0.2,
        Oversampling = AccurateOversampling,
        PowerIterations = AccuratePowerIterations,
    };

    // Enough for the randomized SVD to give the top 448 or 512 vectors of Gowalla's R̃ as an exact SVD does: BSPM's and
    // ChebyCF's figures then match their official code's on the same users (samples/GraphRec.Benchmarks/parity).
    private const int AccurateOversampling = 200;
    private const int AccuratePowerIterations = 16;

    /// <summary>
    /// Sets h to the Chebyshev interpolant of order K = <paramref name="order"/> of <paramref name="response"/>, a
    /// function of an eigenvalue λ ∈ [0, 1] of P: with <c>x_m = cos((2m + 1)π / (2(K + 1)))</c> and λ_m = (1 − x_m)/2,
    /// <c>c_k = (2 − [k = 0]) / (K + 1) · Σ_m h(λ_m) T_k(x_m)</c> become <see cref="ChebyshevCoefficients"/>, so that
    /// h equals the response at the K + 1 nodes; <see cref="Polynomial"/> is emptied. ChebyCF's plateau of flatness φ
    /// is <c>λ ↦ x &lt; 0 ? ½ + ½(−x)^φ : ½ − ½x^φ</c> with x = 1 − 2λ.
    /// </summary>
    /// <param name="response">h(λ), finite on [0, 1].</param>
    /// <param name="order">K, from 0 to <see cref="MaxDegree"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The order is out of range (a response not finite at a node fails <see cref="Validate"/>).</exception>
    public void SetResponse(Func<double, double> response, int order)
    {
        ChebyshevCoefficients = SpectralResponse.Interpolate(response, order);
        Polynomial = [];
    }

    /// <summary>Checks every option.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it, its value and what it must be.</exception>
    public void Validate()
    {
        Require(Polynomial is not null && Polynomial.Count <= MaxDegree + 1 && Polynomial.All(double.IsFinite), nameof(Polynomial),
            $"at most {MaxDegree + 1} finite coefficients", Polynomial is null ? null : Polynomial.Count);
        Require(ChebyshevCoefficients is not null && ChebyshevCoefficients.Count <= MaxDegree + 1 && ChebyshevCoefficients.All(double.IsFinite),
            nameof(ChebyshevCoefficients), $"at most {MaxDegree + 1} finite coefficients", ChebyshevCoefficients is null ? null : ChebyshevCoefficients.Count);
        Require(Polynomial!.Count > 0 || ChebyshevCoefficients!.Count > 0, nameof(Polynomial), "non-empty when ChebyshevCoefficients is empty", "empty");
        Require(InputNormalization is >= 0 and <= 2, nameof(InputNormalization), "from 0 to 2", InputNormalization);
        Require(OutputNormalization is null or (>= 0 and <= 2), nameof(OutputNormalization), "from 0 to 2, or null for InputNormalization's value", OutputNormalization);
        Require(UserNormalization is >= 0.5 and <= 1, nameof(UserNormalization), "from 0.5 to 1", UserNormalization);
        Require(IdealNormalization is >= 0 and <= 2, nameof(IdealNormalization), "from 0 to 2", IdealNormalization);
        Require(IdealUserDegreeExponent is >= -2 and <= 2, nameof(IdealUserDegreeExponent), "from -2 to 2", IdealUserDegreeExponent);
        Require(Rank > 0, nameof(Rank), "positive", Rank);
        Require(Math.Abs(Alpha) <= MaxAlpha, nameof(Alpha), $"a number from -{MaxAlpha:N0} to {MaxAlpha:N0}", Alpha);
        Require(SharpeningTime is >= 0 and <= 100, nameof(SharpeningTime), "from 0 to 100", SharpeningTime);
        Require(SharpeningSteps is >= 1 and <= 16, nameof(SharpeningSteps), "from 1 to 16", SharpeningSteps);
        Require(Oversampling >= 0, nameof(Oversampling), "0 or more", Oversampling);
        Require(PowerIterations >= 0, nameof(PowerIterations), "0 or more", PowerIterations);
        Require(Cutoffs is not null && Cutoffs.Count > 0 && Cutoffs.All(k => k > 0), nameof(Cutoffs), "at least one cut-off, all positive",
            Cutoffs is null ? null : $"[{string.Join(", ", Cutoffs)}]");
    }

    /// <summary>
    /// Whether these options are GF-CF's shape (see <see cref="GfCf"/>), which GF-CF's own scorer computes: its figures
    /// are the published GF-CF figures to the last digit, where the polynomial path agrees to about 1e-5.
    /// </summary>
    internal bool HasGfCfShape =>
        Polynomial.SequenceEqual([0.0, 1.0]) && ChebyshevCoefficients.Count == 0 && InputNormalization == 0 && (OutputNormalization is null or 0)
        && UserNormalization == 0.5 && IdealNormalization == 0.5 && IdealUserDegreeExponent == 0
        && SharpeningTime == 0 && Alpha != 0;

    /// <summary>The cut-offs, distinct and ascending.</summary>
    internal int[] ResolveCutoffs() => [.. Cutoffs.Distinct().Order()];

    /// <summary>A copy, so that a caller changing these options later does not change a filter built from them.</summary>
    internal SpectralFilterOptions Clone()
    {
        // null stays null, for Validate to name it.
        var copy = (SpectralFilterOptions)MemberwiseClone();
        copy.Cutoffs = Cutoffs is null ? null! : [.. Cutoffs];
        copy.Polynomial = Polynomial is null ? null! : [.. Polynomial];
        copy.ChebyshevCoefficients = ChebyshevCoefficients is null ? null! : [.. ChebyshevCoefficients];
        return copy;
    }

    private static void Require(bool valid, string name, string what, object? value) =>
        OptionChecks.Require(valid, nameof(SpectralFilterOptions), name, what, value);
}
