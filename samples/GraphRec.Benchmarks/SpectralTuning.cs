using System.Diagnostics;
using System.Text.Json;
using GraphRec.Core;
using GraphRec.Data;
using GraphRec.Metrics;
using TorchSharp;
using static TorchSharp.torch;

namespace GraphRec.Benchmarks;

/// <summary>
/// A member of the family the search explores: the plateau of flatness φ sampled as ChebyCF samples it at order K, the
/// user-degree exponent a of R̃, the degree exponents β (input), β' (output) and γ (ideal term), the rank k and weight α
/// of the ideal term, and ρ, how that weight follows the user's item count.
/// </summary>
internal sealed record TuningCandidate(double Flatness, int Order, double UserNormalization, double InputNormalization, double OutputNormalization,
    double IdealNormalization, int Rank, double Alpha, double IdealUserDegree = 0)
{
    /// <summary>The options of this candidate, with the accurate SVD the search used (ChebyCF's recipe's).</summary>
    public SpectralFilterOptions Options() => new()
    {
        Oversampling = Accurate.Oversampling,
        PowerIterations = Accurate.PowerIterations,
        Polynomial = [],
        ChebyshevCoefficients = SpectralResponse.ChebyCfPlateau(Order, Flatness),
        UserNormalization = UserNormalization,
        InputNormalization = InputNormalization,
        OutputNormalization = OutputNormalization == InputNormalization ? null : OutputNormalization,
        IdealNormalization = IdealNormalization,
        Rank = Rank,
        Alpha = Alpha,
        IdealUserDegreeExponent = IdealUserDegree,
    };

    /// <summary>ChebyCF's recipe, for its SVD settings: top vectors as accurate as the official code's exact SVD.</summary>
    public static SpectralFilterOptions Accurate { get; } = SpectralFilterOptions.ChebyCf();

    /// <summary>ChebyCF's recipe as a candidate: the search's first centre, and the reference of the stand-in check.</summary>
    public static TuningCandidate ChebyCfRecipe { get; } = new(1.5, 8, 0.5, 0.4, 0.4, 0.4, 512, 0.2);

    public override string ToString() =>
        $"φ {Flatness} K {Order} a {UserNormalization} β {InputNormalization} β' {OutputNormalization} γ {IdealNormalization} k {Rank} α {Alpha} ρ {IdealUserDegree}";
}

/// <summary>
/// One candidate on validation: its means and its paired comparison (candidate − reference, user by user) with the
/// pass's centre; <see cref="Accepted"/> when its NDCG@20 gain exceeds one standard error of the paired differences.
/// </summary>
internal sealed record TuningStep(
    int Pass, string Coordinate, TuningCandidate Candidate, double RecallAt20, double NdcgAt20, double PrecisionAt20,
    double NdcgGain, double NdcgGainStandardError, double NdcgGainPValue, double RecallGain, bool Accepted);

/// <summary>One pass: the expensive coordinates (a, β) it held, its seconds, and the centre it moved to.</summary>
internal sealed record TuningPass(int Pass, double UserNormalization, double InputNormalization, TuningCandidate Centre, double Seconds, TuningCandidate NextCentre);

/// <summary>ChebyCF's recipe and the chosen filter on the stand-in test (<c>--stand-in-test</c>): the chosen one compared with the recipe user by user.</summary>
internal sealed record StandInCheck(double RecipeRecallAt20, double RecipeNdcgAt20, TuningStep Chosen);

/// <summary>What the search did and chose, written as JSON.</summary>
internal sealed record TuningReport(
    string Machine, int Seed, double HeldOutFraction, int ValidationUsers, int FitInteractions, int ValidationInteractions, int SvdRank, double SvdSeconds,
    IReadOnlyList<TuningPass> Passes, IReadOnlyList<TuningStep> Steps, TuningStep? Chosen, SpectralFilterOptions? ChosenOptions,
    IReadOnlyDictionary<string, double>? ChosenThroughScorer, int? ResplitSeed, int? StandInSeed, StandInCheck? StandIn);

/// <summary>
/// Chooses a spectral filter's hyperparameters on validation, never on test. A validation split is carved from the
/// training interactions of Gowalla's predefined split (by default one seeded item of each user with 2 or more, so that
/// the filter is fitted to nearly all of train, as it is for test: the best flatness moves with the density of the graph
/// it is fitted to; or a seeded fraction of each user's items), the filter is fitted to the rest, and every validation
/// user is ranked over the full catalogue (or a seeded sample of them) for each candidate.
/// </summary>
/// <remarks>
/// <para>
/// Coordinate search in passes. A pass holds the two coordinates that need new products with P, the user exponent a
/// and the input exponent β, and evaluates a star around its centre: the centre, and each cheap coordinate (φ, K, β',
/// γ, k, α, ρ) moved alone to each of its other values. All of the star shares one set of Chebyshev terms
/// <c>T_k(L̃)(r ∘ d^-β)</c>, k ≤ 10, per block of users (any order-K response is a combination of them) and one
/// projection on V_512 per γ (smaller ranks are its leading columns), so a pass costs about one evaluation plus a
/// top-20 selection per candidate. The SVD is computed once per a at rank 512, as accurately as ChebyCF's and BSPM's recipes ask.
/// </para>
/// <para>
/// Candidates are compared with the centre user by user (<see cref="RankingEvaluation.CompareWith"/>): a coordinate
/// moves to its value of largest NDCG@20 gain when that gain exceeds one standard error of the paired differences,
/// and the next pass starts from all moves together. The passes: β = 0.4, 0.3, 0.5 at a = ½, then a = 0.6  at the best
/// β, then a last pass around the best so far (fewer with <c>--passes</c>). The chosen candidate is the best centre or star member by
/// the same rule (each replaces the incumbent only by more than a standard error of NDCG@20), and it is evaluated
/// once more through <see cref="SpectralFilter"/>'s own scorer on validation, as a check of the shared terms.
/// </para>
/// </remarks>
internal static class SpectralTuning
{
    private const int MaxOrder = 10, MaxRank = 512, TopK = 20;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly double[] Flatness = [1.0, 1.5, 2.0, 2.5, 3.0];
    private static readonly int[] Orders = [6, 8, 10];
    private static readonly double[] OutputNormalizations = [0.2, 0.3, 0.4, 0.5, 0.6];
    private static readonly double[] IdealNormalizations = [0.3, 0.4, 0.5];
    private static readonly int[] Ranks = [256, 384, 512];
    private static readonly double[] Alphas = [0.1, 0.2, 0.3, 0.4];
    private static readonly double[] InputNormalizations = [0.4, 0.3, 0.5];
    private static readonly double[] UserNormalizations = [0.6];
    private static readonly double[] IdealUserDegrees = [-0.5, -0.25, 0, 0.25, 0.5];

    public static async Task<int> RunAsync(
        string folder, double heldOutFraction, int? validationUsers, int seed, int passLimit, int? standInSeed, int? resplitSeed, string output, string optionsOutput,
        CancellationToken cancellationToken)
    {
        var dataset = await EdgeListProvider.FromFolder(folder).LoadAsync(cancellationToken);
        var train = RandomResplit.Of(dataset.PredefinedSplit!, resplitSeed).Train;
        Interactions? standIn = null;
        if (standInSeed is int standInCarve)
        {
            // A check of the search itself: a fifth of train plays test, and the search runs on the rest.
            (train, standIn) = Carve(train, 0.2, standInCarve, int.MaxValue);
        }

        var (fit, validation) = Carve(train, heldOutFraction, seed, validationUsers ?? int.MaxValue);
        int users = Enumerable.Range(0, validation.UserCount).Count(u => validation.CountOf(u) > 0);
        Console.WriteLine($"validation: fitted to {fit.Count} interactions, {validation.Count} held out from {users} users");

        var steps = new List<TuningStep>();
        var passes = new List<TuningPass>();
        var bases = new Dictionary<double, float[]>();
        double svdSeconds = 0;
        // ChebyCF's recipe is the first centre and the first incumbent.
        var centre = TuningCandidate.ChebyCfRecipe;
        (TuningStep Step, RankingEvaluation Evaluation)? best = null;

        StandInCheck? standInCheck = null;
        async Task WriteAsync(TuningStep? chosen, SpectralFilterOptions? options, IReadOnlyDictionary<string, double>? check) =>
            await Report.WriteAsync(output, new TuningReport(Machine.Describe(), seed, heldOutFraction, users, fit.Count, validation.Count, MaxRank, svdSeconds,
                passes, steps, chosen, options, check, resplitSeed, standInSeed, standInCheck), cancellationToken);

        int passCount = Math.Min(passLimit, InputNormalizations.Length + UserNormalizations.Length + 1);
        for (int pass = 1; pass <= passCount; pass++)
        {
            // β over the first passes at a = ½, then a at the best β, then a last pass around the best so far.
            var incumbent = best?.Step.Candidate;
            var (a, beta) = pass <= InputNormalizations.Length ? (0.5, InputNormalizations[pass - 1])
                : pass <= InputNormalizations.Length + UserNormalizations.Length ? (UserNormalizations[pass - InputNormalizations.Length - 1], incumbent!.InputNormalization)
                : (incumbent!.UserNormalization, incumbent.InputNormalization);
            centre = pass == InputNormalizations.Length + UserNormalizations.Length + 1 ? incumbent! : centre with { UserNormalization = a, InputNormalization = beta };
            if (!bases.TryGetValue(a, out var basis))
            {
                var svdClock = Stopwatch.StartNew();
                basis = Basis(fit, a, cancellationToken);
                bases[a] = basis;
                svdSeconds += svdClock.Elapsed.TotalSeconds;
                Console.WriteLine($"SVD of rank {MaxRank} at a = {a}: {svdClock.Elapsed.TotalSeconds:F1} s");
            }

            var star = Star(centre);
            var clock = Stopwatch.StartNew();
            var evaluations = EvaluatePass(fit, validation, basis, [.. star.Select(s => s.Candidate)], cancellationToken);
            var reference = evaluations[0];
            var moves = new Dictionary<string, (TuningCandidate Candidate, double Gain)>();
            for (int i = 0; i < star.Count; i++)
            {
                var (coordinate, candidate) = star[i];
                var step = Step(pass, coordinate, candidate, evaluations[i], reference);
                steps.Add(step);
                Console.WriteLine($"pass {pass} {coordinate,-8} {candidate}: recall@20 {step.RecallAt20:F4} ndcg@20 {step.NdcgAt20:F4} gain {step.NdcgGain:+0.00000;-0.00000} ± {step.NdcgGainStandardError:F5}{(step.Accepted ? " *" : "")}");
                if (step.Accepted && (!moves.TryGetValue(coordinate, out var move) || step.NdcgGain > move.Gain))
                {
                    moves[coordinate] = (candidate, step.NdcgGain);
                }

                if (best is null || Step(pass, coordinate, candidate, evaluations[i], best.Value.Evaluation).Accepted)
                {
                    best = (step, evaluations[i]);
                }
            }

            var next = moves.Values.Aggregate(centre, (c, m) => Move(c, m.Candidate, centre));
            passes.Add(new TuningPass(pass, a, beta, centre, clock.Elapsed.TotalSeconds, next));
            Console.WriteLine($"pass {pass} ({clock.Elapsed.TotalSeconds:F0} s): next centre {next}; best so far {best!.Value.Step.Candidate} (ndcg@20 {best.Value.Step.NdcgAt20:F4})");
            centre = next;
            await WriteAsync(null, null, null);
        }

        var chosen = best!.Value.Step;
        var options = chosen.Candidate.Options();
        Console.WriteLine($"chosen: {chosen.Candidate} (validation recall@20 {chosen.RecallAt20:F4} ndcg@20 {chosen.NdcgAt20:F4} precision@20 {chosen.PrecisionAt20:F4})");
        await File.WriteAllTextAsync(optionsOutput, JsonSerializer.Serialize(options, Indented), cancellationToken);
        await WriteAsync(chosen, options, null);
        if (standIn is not null)
        {
            standInCheck = CheckOnStandIn(train, standIn, TuningCandidate.ChebyCfRecipe, chosen.Candidate, cancellationToken);
            Console.WriteLine($"on the stand-in test: ChebyCF's recipe recall@20 {standInCheck.RecipeRecallAt20:F4} ndcg@20 {standInCheck.RecipeNdcgAt20:F4}, "
                + $"the chosen filter {standInCheck.Chosen.RecallAt20:F4} / {standInCheck.Chosen.NdcgAt20:F4} "
                + $"(ndcg@20 {standInCheck.Chosen.NdcgGain:+0.00000;-0.00000} ± {standInCheck.Chosen.NdcgGainStandardError:F5}, recall@20 {standInCheck.Chosen.RecallGain:+0.00000;-0.00000})");
            await WriteAsync(chosen, options, null);
        }

        // The same candidate through the filter's own scorer, with the search's basis: the shared terms must give its figures.
        int rank = chosen.Candidate.Rank;
        var chosenBasis = bases[chosen.Candidate.UserNormalization];
        var truncated = new float[fit.ItemCount * rank];
        for (int i = 0; i < fit.ItemCount; i++)
        {
            chosenBasis.AsSpan(i * MaxRank, rank).CopyTo(truncated.AsSpan(i * rank, rank));
        }

        using (var scorer = new SpectralFilterScorer(fit, truncated, rank, options))
        {
            var check = FullRankingEvaluator.Evaluate(scorer, validation, [fit], [TopK], cancellationToken: cancellationToken);
            var figures = check.Summaries.ToDictionary(pair => pair.Key, pair => pair.Value.Mean);
            Console.WriteLine($"chosen through the scorer on validation: recall@20 {figures["recall@20"]:F4} ndcg@20 {figures["ndcg@20"]:F4}");
            await WriteAsync(chosen, options, figures);
        }

        Console.WriteLine($"wrote {optionsOutput}: evaluate it on test with gowalla --model spectral --spectral-options {optionsOutput}");
        return 0;
    }

    /// <summary>
    /// The recipe and the chosen candidate fitted to <paramref name="train"/> and ranked on <paramref name="standIn"/>,
    /// compared user by user; one pass over the users when they share the exponents a and β (and so their Chebyshev terms).
    /// </summary>
    private static StandInCheck CheckOnStandIn(Interactions train, Interactions standIn, TuningCandidate recipe, TuningCandidate chosen, CancellationToken cancellationToken)
    {
        var recipeBasis = Basis(train, recipe.UserNormalization, cancellationToken);
        RankingEvaluation reference, evaluation;
        if (chosen.UserNormalization == recipe.UserNormalization && chosen.InputNormalization == recipe.InputNormalization)
        {
            var both = EvaluatePass(train, standIn, recipeBasis, [recipe, chosen], cancellationToken);
            (reference, evaluation) = (both[0], both[1]);
        }
        else
        {
            reference = EvaluatePass(train, standIn, recipeBasis, [recipe], cancellationToken)[0];
            var chosenBasis = chosen.UserNormalization == recipe.UserNormalization ? recipeBasis : Basis(train, chosen.UserNormalization, cancellationToken);
            evaluation = EvaluatePass(train, standIn, chosenBasis, [chosen], cancellationToken)[0];
        }

        var step = Step(0, "stand-in test", chosen, evaluation, reference);
        return new StandInCheck(reference.Mean("recall", TopK), reference.Mean("ndcg", TopK), step);
    }

    /// <summary>V_512 of <paramref name="train"/> at the user exponent <paramref name="userNormalization"/>, as accurate as ChebyCF's recipe asks.</summary>
    private static float[] Basis(Interactions train, double userNormalization, CancellationToken cancellationToken) =>
        SpectralFilterScorer.SingularVectors(train, MaxRank, new SpectralFilterOptions
        {
            UserNormalization = userNormalization,
            Oversampling = TuningCandidate.Accurate.Oversampling,
            PowerIterations = TuningCandidate.Accurate.PowerIterations,
        }, cancellationToken);

    /// <summary>The centre first, then each cheap coordinate moved alone to each of its other values.</summary>
    private static List<(string Coordinate, TuningCandidate Candidate)> Star(TuningCandidate centre)
    {
        var star = new List<(string, TuningCandidate)> { ("centre", centre) };
        void Add<T>(string name, IEnumerable<T> values, Func<T, TuningCandidate> vary) =>
            star.AddRange(values.Select(vary).Where(c => c != centre).Select(c => (name, c)));
        Add("flatness", Flatness, v => centre with { Flatness = v });
        Add("order", Orders, v => centre with { Order = v });
        Add("output", OutputNormalizations, v => centre with { OutputNormalization = v });
        Add("ideal", IdealNormalizations, v => centre with { IdealNormalization = v });
        Add("rank", Ranks, v => centre with { Rank = v });
        Add("alpha", Alphas, v => centre with { Alpha = v });
        Add("rho", IdealUserDegrees, v => centre with { IdealUserDegree = v });
        return star;
    }

    /// <summary>The centre with the one coordinate in which <paramref name="moved"/> differs from <paramref name="from"/> set to moved's value.</summary>
    private static TuningCandidate Move(TuningCandidate centre, TuningCandidate moved, TuningCandidate from) => centre with
    {
        Flatness = moved.Flatness != from.Flatness ? moved.Flatness : centre.Flatness,
        Order = moved.Order != from.Order ? moved.Order : centre.Order,
        OutputNormalization = moved.OutputNormalization != from.OutputNormalization ? moved.OutputNormalization : centre.OutputNormalization,
        IdealNormalization = moved.IdealNormalization != from.IdealNormalization ? moved.IdealNormalization : centre.IdealNormalization,
        Rank = moved.Rank != from.Rank ? moved.Rank : centre.Rank,
        Alpha = moved.Alpha != from.Alpha ? moved.Alpha : centre.Alpha,
        IdealUserDegree = moved.IdealUserDegree != from.IdealUserDegree ? moved.IdealUserDegree : centre.IdealUserDegree,
    };

    private static TuningStep Step(int pass, string coordinate, TuningCandidate candidate, RankingEvaluation evaluation, RankingEvaluation reference)
    {
        var ndcg = evaluation.CompareWith(reference, "ndcg", TopK);
        var recall = evaluation.CompareWith(reference, "recall", TopK);
        double standardError = ndcg.TStatistic is 0 or double.NaN || double.IsInfinity(ndcg.TStatistic) ? 0 : Math.Abs(ndcg.MeanDifference / ndcg.TStatistic);
        return new TuningStep(pass, coordinate, candidate, evaluation.Mean("recall", TopK), evaluation.Mean("ndcg", TopK), evaluation.Mean("precision", TopK),
            ndcg.MeanDifference, standardError, ndcg.TTestPValue, recall.MeanDifference, ndcg.MeanDifference > 0 && ndcg.TStatistic > 1);
    }

    /// <summary>
    /// Every candidate (all of one a and β) on the validation users, sharing per block of users the Chebyshev terms up
    /// to <see cref="MaxOrder"/> and the projections on the basis: the evaluations, in the candidates' order.
    /// </summary>
    private static RankingEvaluation[] EvaluatePass(Interactions fit, Interactions validation, float[] basis, TuningCandidate[] candidates, CancellationToken cancellationToken)
    {
        double a = candidates[0].UserNormalization, beta = candidates[0].InputNormalization;
        int items = fit.ItemCount;
        using var termScorer = new SpectralFilterScorer(fit, [], 0, new SpectralFilterOptions
        {
            Polynomial = [], ChebyshevCoefficients = new double[MaxOrder + 1], UserNormalization = a, InputNormalization = beta, Alpha = 0,
        });
        var responses = candidates.Select(c => (c.Flatness, c.Order)).Distinct().ToArray();
        var gammas = candidates.Select(c => c.IdealNormalization).Distinct().ToArray();
        var ranks = candidates.Select(c => c.Rank).Distinct().Order().ToArray();
        var degrees = Array.ConvertAll(fit.ItemDegrees(), d => (double)d);
        var builders = candidates.Select(_ => new RankingEvaluationBuilder([TopK], items)).ToArray();
        var users = Enumerable.Range(0, validation.UserCount).Where(u => validation.CountOf(u) > 0).ToArray();
        foreach (var builder in builders)
        {
            builder.AddExcludedCount(validation.UserCount - users.Length);
        }

        using var outer = NewDisposeScope();
        var coefficients = tensor(responses.SelectMany(r => Padded(SpectralResponse.ChebyCfPlateau(r.Order, r.Flatness))).Select(c => (float)c).ToArray(),
            [responses.Length, MaxOrder + 1]);
        var v = tensor(basis, [items, MaxRank]);
        Tensor Degrees(double power) => tensor(Array.ConvertAll(degrees, d => d == 0 ? 0f : (float)Math.Pow(d, power)));
        var idealIn = gammas.ToDictionary(g => g, g => (v * Degrees(-g).unsqueeze(1)).contiguous());
        var idealOut = gammas.ToDictionary(g => g, g => (v * Degrees(g).unsqueeze(1)).contiguous());
        var outputScales = candidates.Select(c => c.OutputNormalization).Distinct().ToDictionary(p => p, p => Degrees(p));
        int width = SpectralFilterScorer.BlockWidth;
        var terms = Enumerable.Range(0, MaxOrder + 1).Select(_ => new float[items * width]).ToArray();
        var flat = new float[(MaxOrder + 1) * items * width];
        var prepared = new PreparedScores(items);
        double meanUserDegree = SpectralFilterScorer.MeanUserDegree(fit);
        var rhos = candidates.Select(c => c.IdealUserDegree).Distinct().ToArray();
        for (int start = 0; start < users.Length; start += width)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var batch = users.AsSpan(start, Math.Min(width, users.Length - start)).ToArray();
            int count = batch.Length;
            var rows = IRowScorer.TrainingRows(fit, batch);
            termScorer.ChebyshevTerms(rows, 0, count, terms);
            for (int k = 0; k <= MaxOrder; k++)
            {
                terms[k].AsSpan(0, items * count).CopyTo(flat.AsSpan(k * items * count));
            }

            // [responses, items, count] -> [responses, count, items]
            var filtered = coefficients.mm(tensor(flat.AsSpan(0, (MaxOrder + 1) * items * count).ToArray(), [MaxOrder + 1, items * count]))
                .view(responses.Length, items, count).permute(0, 2, 1).contiguous();
            var rowIndex = tensor(rows.SelectMany((r, b) => r.Select(_ => (long)b)).ToArray());
            var itemIndex = tensor(rows.SelectMany(r => r.Select(i => (long)i)).ToArray());
            var ideals = new Dictionary<(double Gamma, int Rank), Tensor>();
            foreach (double gamma in gammas)
            {
                using var one = 1.ToScalar();   // kept alive through the call (KeptScalars)
                var projected = zeros(count, MaxRank).index_add_(0, rowIndex, idealIn[gamma].index_select(0, itemIndex), one);
                Tensor? sum = null;
                int done = 0;
                foreach (int rank in ranks.Where(k => candidates.Any(c => c.IdealNormalization == gamma && c.Rank >= k)))
                {
                    var part = projected.narrow(1, done, rank - done).mm(idealOut[gamma].narrow(1, done, rank - done).t());
                    sum = sum is null ? part : sum.Plus(part);
                    done = rank;
                    ideals[(gamma, rank)] = sum;
                }
            }

            var userWeights = rhos.ToDictionary(r => r, r => tensor(batch.Select(u => SpectralFilterScorer.IdealUserWeight(fit.CountOf(u), meanUserDegree, r)).ToArray()).unsqueeze(1));
            for (int c = 0; c < candidates.Length; c++)
            {
                var candidate = candidates[c];
                int response = Array.IndexOf(responses, (candidate.Flatness, candidate.Order));
                var ideal = ideals[(candidate.IdealNormalization, candidate.Rank)];
                prepared.Scores = (filtered[response] * outputScales[candidate.OutputNormalization]).AddScaledInPlace(candidate.IdealUserDegree == 0 ? ideal : ideal * userWeights[candidate.IdealUserDegree], candidate.Alpha);
                var ranked = FullRankingEvaluator.TopK(prepared, batch, [fit], TopK);
                for (int b = 0; b < count; b++)
                {
                    var row = ranked.AsSpan(b * TopK, TopK);
                    int length = row.IndexOf(-1);
                    builders[c].Add(batch[b], length < 0 ? row : row[..length], validation.ItemsOf(batch[b]));
                }
            }
        }

        return [.. builders.Select(b => b.Build())];
    }

    private static IEnumerable<double> Padded(double[] coefficients) => coefficients.Concat(Enumerable.Repeat(0.0, MaxOrder + 1 - coefficients.Length));

    /// <summary>Scores already computed for the batch being ranked.</summary>
    private sealed class PreparedScores(int itemCount) : IScorer
    {
        public Tensor? Scores { get; set; }

        public int ItemCount => itemCount;

        public Tensor Score(ReadOnlySpan<int> users) => Scores!;
    }

    /// <summary>
    /// Holds out a seeded <paramref name="fraction"/> (at least one) of the items of every user with two or more, and
    /// keeps as validation those of <paramref name="users"/> users drawn at random (all when there are no more); the
    /// rest is what the filter is fitted to.
    /// </summary>
    internal static (Interactions Fit, Interactions Validation) Carve(Interactions train, double fraction, int seed, int users)
    {
        var random = new Random(seed);
        var kept = new List<int>[train.UserCount];
        var heldOut = new List<int>[train.UserCount];
        for (int u = 0; u < train.UserCount; u++)
        {
            var items = train.ItemsOf(u).ToArray();
            random.Shuffle(items);
            int count = items.Length < 2 ? 0 : fraction <= 0 ? 1 : Math.Max(1, (int)Math.Round(fraction * items.Length));
            heldOut[u] = [.. items[..count].Order()];
            kept[u] = [.. items[count..].Order()];
        }

        var sampled = new HashSet<int>(Enumerable.Range(0, train.UserCount).Where(u => heldOut[u].Count > 0).OrderBy(_ => random.Next()).Take(users));
        for (int u = 0; u < train.UserCount; u++)
        {
            if (!sampled.Contains(u))
            {
                heldOut[u] = [];
            }
        }

        return (RandomResplit.FromRows(train, kept), RandomResplit.FromRows(train, heldOut));
    }
}
