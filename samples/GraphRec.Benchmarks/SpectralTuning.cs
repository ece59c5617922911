using System.Diagnostics;
using System.Text.Json;
using GraphRec.Core;
using GraphRec.Data;

namespace GraphRec.Benchmarks;

/// <summary>One configuration the search evaluated on validation.</summary>
internal sealed record TuningStep(string Coordinate, double Flatness, double Beta, double Alpha, int Rank, double SharpeningTime, double RecallAt20, double NdcgAt20, double Seconds);

/// <summary>What the search did and chose, written as JSON.</summary>
internal sealed record TuningReport(
    string Machine, int Seed, double HeldOutFraction, int ValidationUsers, int FitInteractions, int ValidationInteractions, IReadOnlyList<TuningStep> Steps,
    TuningStep Chosen, SpectralFilterOptions ChosenOptions);

/// <summary>
/// Chooses a spectral filter's hyperparameters on validation, never on test: a validation split is carved from the
/// training interactions of Gowalla's predefined split (a seeded 20% of each user's training items with 2 or more), the
/// filter is fitted to the rest, and a coordinate search, one pass from ChebyCF's recipe over the plateau's flatness φ,
/// the degree normalization β, the ideal weight α, the rank k and the sharpening time T, keeps whichever value of each
/// coordinate gives the best validation NDCG@20 (Recall@20 breaking ties), ranked over a seeded sample of validation
/// users. The SVD is computed once at the largest rank and truncated for the smaller ones.
/// </summary>
internal static class SpectralTuning
{
    private const int Order = 8;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly double[] Flatness = [1.0, 1.5, 2.0];
    private static readonly double[] Betas = [0.3, 0.4, 0.5];
    private static readonly double[] Alphas = [0.1, 0.2, 0.3];
    private static readonly int[] Ranks = [256, 512];
    private static readonly double[] SharpeningTimes = [0, 0.5];

    public static async Task<int> RunAsync(string folder, int validationUsers, int seed, string output, string optionsOutput, CancellationToken cancellationToken)
    {
        var dataset = await EdgeListProvider.FromFolder(folder).LoadAsync(cancellationToken);
        var (fit, validation) = Carve(dataset.PredefinedSplit!.Train, 0.2, seed, validationUsers);
        Console.WriteLine($"validation: fitted to {fit.Count} interactions, {validation.Count} held out from {validationUsers} users");
        var basisOptions = new SpectralFilterOptions();
        int largest = Ranks.Max();
        var clock = Stopwatch.StartNew();
        var basis = SpectralFilterScorer.SingularVectors(fit, largest, basisOptions, cancellationToken);
        Console.WriteLine($"SVD of rank {largest}: {clock.Elapsed.TotalSeconds:F1} s");

        var steps = new List<TuningStep>();
        var (flatness, beta, alpha, rank, time) = (1.5, 0.4, 0.2, 512, 0.0);   // ChebyCF's recipe
        TuningStep Evaluate(string coordinate, double f, double b, double a, int k, double t)
        {
            var options = Options(f, b, a, k, t);
            var timer = Stopwatch.StartNew();
            using var scorer = new SpectralFilterScorer(fit, Truncate(basis, fit.ItemCount, largest, k), k, options);
            var evaluation = FullRankingEvaluator.Evaluate(scorer, validation, [fit], [20], cancellationToken: cancellationToken);
            var step = new TuningStep(coordinate, f, b, a, k, t, evaluation.Summaries["recall@20"].Mean, evaluation.Summaries["ndcg@20"].Mean, timer.Elapsed.TotalSeconds);
            Console.WriteLine($"{coordinate,-10} φ {f} β {b} α {a} k {k} T {t}: recall@20 {step.RecallAt20:F4} ndcg@20 {step.NdcgAt20:F4} ({step.Seconds:F0} s)");
            steps.Add(step);
            return step;
        }

        var best = Evaluate("start", flatness, beta, alpha, rank, time);
        TuningStep Better(TuningStep a, TuningStep b) => (b.NdcgAt20, b.RecallAt20).CompareTo((a.NdcgAt20, a.RecallAt20)) > 0 ? b : a;
        // One pass, each coordinate from the best so far: φ, β, α, k, then T.
        var coordinates = new (string Name, double[] Values, Func<TuningStep, double, TuningStep> Vary)[]
        {
            ("flatness", Flatness, (s, v) => s with { Flatness = v }),
            ("beta", Betas, (s, v) => s with { Beta = v }),
            ("alpha", Alphas, (s, v) => s with { Alpha = v }),
            ("rank", [.. Ranks.Select(k => (double)k)], (s, v) => s with { Rank = (int)v }),
            ("sharpening", SharpeningTimes, (s, v) => s with { SharpeningTime = v }),
        };
        foreach (var (name, values, vary) in coordinates)
        {
            var start = best;
            foreach (double value in values)
            {
                var candidate = vary(start, value);
                if (candidate != start)
                {
                    best = Better(best, Evaluate(name, candidate.Flatness, candidate.Beta, candidate.Alpha, candidate.Rank, candidate.SharpeningTime));
                }
            }
        }

        var chosen = Options(best.Flatness, best.Beta, best.Alpha, best.Rank, best.SharpeningTime);
        Console.WriteLine($"chosen: φ {best.Flatness} β {best.Beta} α {best.Alpha} k {best.Rank} T {best.SharpeningTime} (validation recall@20 {best.RecallAt20:F4} ndcg@20 {best.NdcgAt20:F4})");
        await File.WriteAllTextAsync(optionsOutput, JsonSerializer.Serialize(chosen, Indented), cancellationToken);
        Console.WriteLine($"wrote {optionsOutput}: evaluate it on test with gowalla --model spectral --spectral-options {optionsOutput}");
        await Report.WriteAsync(output, new TuningReport(Machine.Describe(), seed, 0.2, validationUsers, fit.Count, validation.Count, steps, best, chosen), cancellationToken);
        return 0;
    }

    /// <summary>The family's member: the order-8 Chebyshev interpolant of the plateau (as ChebyCF makes it), β on both terms.</summary>
    private static SpectralFilterOptions Options(double flatness, double beta, double alpha, int rank, double sharpeningTime) => new()
    {
        Polynomial = [],
        ChebyshevCoefficients = SpectralResponse.ChebyCfPlateau(Order, flatness),
        InputNormalization = beta,
        IdealNormalization = beta,
        Alpha = alpha,
        Rank = rank,
        SharpeningTime = sharpeningTime,
    };

    /// <summary>The first <paramref name="rank"/> columns of a row-major <c>[items, largest]</c> basis.</summary>
    private static float[] Truncate(float[] basis, int items, int largest, int rank)
    {
        var result = new float[items * rank];
        for (int i = 0; i < items; i++)
        {
            basis.AsSpan(i * largest, rank).CopyTo(result.AsSpan(i * rank, rank));
        }

        return result;
    }

    /// <summary>
    /// Holds out a seeded <paramref name="fraction"/> (at least one) of the items of every user with two or more, and
    /// keeps as validation those of <paramref name="users"/> users drawn at random; the rest is what the filter is fitted to.
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
            int count = items.Length >= 2 ? Math.Max(1, (int)Math.Round(fraction * items.Length)) : 0;
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

        return (Build(train, kept), Build(train, heldOut));
    }

    private static Interactions Build(Interactions shape, List<int>[] rows)
    {
        var pointers = new int[rows.Length + 1];
        for (int u = 0; u < rows.Length; u++)
        {
            pointers[u + 1] = pointers[u] + rows[u].Count;
        }

        return new Interactions(shape.UserCount, shape.ItemCount, pointers, [.. rows.SelectMany(r => r)]);
    }
}
